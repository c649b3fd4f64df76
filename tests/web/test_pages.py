"""The layout, the profile and incidents pages, the backend client, headers and static files."""

from __future__ import annotations

import re

import httpx
import pytest

from servicedesk.web.backend import BackendClients, BackendError
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop
from tests.web.browsing import sign_in

PAGE_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _assert_security_headers(response: httpx.Response) -> None:
    for name, value in PAGE_HEADERS.items():
        assert response.headers[name] == value, name
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


async def test_the_start_page_goes_to_incidents(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/incidents"


async def test_the_incidents_page_lists_the_newest_from_tickets(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "agent1")
    page = await browser.get("/incidents")
    assert page.status_code == 200
    _assert_security_headers(page)
    assert page.headers["cache-control"] == "no-store"
    rows = re.findall(r'<a href="/incidents/(INC-\d+)">', page.text)
    assert 1 <= len(rows) <= 20
    numbers = [int(key.removeprefix("INC-")) for key in rows]
    assert numbers == sorted(numbers, reverse=True), "newest first"
    assert "Иван Петров" in page.text  # the user's name in the header
    for href in ("/incidents", "/problems", "/boards", "/clients", "/orders", "/profile"):
        assert f'href="{href}"' in page.text
    assert 'class="skip-link" href="#main"' in page.text
    assert '<script src="/static/vendor/htmx.min.js?v=' in page.text
    assert "<script>" not in page.text, "no inline scripts"


async def test_htmx_gets_the_table_alone(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    part = await browser.get("/incidents", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div id="incident-table"')
    assert "<html" not in part.text


async def test_the_profile_shows_what_keycloak_knows(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "supervisor1", next_url="/profile")
    page = await browser.get("/profile?lang=en")
    assert page.status_code == 200
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page.text))
    assert facts["Name"] == "Ольга Кузнецова"
    assert facts["Username"] == "supervisor1"
    assert "supervisor1@example.com" in facts["Email"]
    assert facts["Phone"].startswith("+7")
    assert facts["Telegram id"].isdigit()
    roles = re.search(r"<dt>Roles</dt>\s*<dd>(.*?)</dd>", page.text, re.S)
    groups = re.search(r"<dt>Groups</dt>\s*<dd>(.*?)</dd>", page.text, re.S)
    assert roles
    assert groups
    assert "supervisor" in roles.group(1)
    assert "agent" in roles.group(1)
    assert "offline_access" not in roles.group(1)
    assert "supervisors" in groups.group(1)


async def test_an_unknown_page_is_a_page_for_browsers_and_a_problem_for_apis(
    browser: httpx.AsyncClient,
) -> None:
    html = await browser.get("/nowhere", headers={"Accept": "text/html"})
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    _assert_security_headers(html)
    api = await browser.get("/nowhere", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


async def test_static_files_are_served_from_here_with_long_caching(
    browser: httpx.AsyncClient,
) -> None:
    for path in ("/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js"):
        plain = await browser.get(path)
        assert plain.status_code == 200, path
        assert plain.headers["cache-control"] == "no-cache"
        versioned = await browser.get(f"{path}?v=1")
        assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
        _assert_security_headers(versioned)
    sortable = await browser.get("/static/vendor/Sortable.min.js")
    assert sortable.status_code == 200
    assert sortable.headers["content-type"].startswith("text/javascript")


async def test_the_api_docs_page_is_not_served(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/docs", headers={"Accept": "text/html"})).status_code == 404


@pytest.fixture
async def backends(live_stack: LiveStack) -> BackendClients:
    return BackendClients(live_stack.tickets_url, live_stack.migration_url, 5.0)


async def test_the_backend_client_calls_as_the_user(
    backends: BackendClients, tokens: TokenShop
) -> None:
    backend = backends.for_user(await tokens.access("agent1"))
    try:
        me = await backend.tickets.get("/api/v1/me")
        assert me["username"] == "agent1"
        assert (await backend.migration.get("/api/v1/me"))["username"] == "agent1"
    finally:
        await backends.close()


async def test_a_refusal_carries_the_problem_and_its_field_errors(
    backends: BackendClients, tokens: TokenShop
) -> None:
    backend = backends.for_user(await tokens.access("agent1"))
    try:
        with pytest.raises(BackendError) as refused:
            await backend.tickets.post("/api/v1/incidents", json={"title": ""})
    finally:
        await backends.close()
    error = refused.value
    assert error.status == 422
    assert error.service == "tickets"
    assert error.code == "invalid-input"
    assert "title" in error.field_errors


async def test_an_unreachable_service_is_a_503_backend_error(tokens: TokenShop) -> None:
    backends = BackendClients("http://127.0.0.1:9", "http://127.0.0.1:9", 1.0)
    try:
        with pytest.raises(BackendError) as failed:
            await backends.for_user(await tokens.access("agent1")).tickets.get("/api/v1/me")
    finally:
        await backends.close()
    assert failed.value.status == 503
