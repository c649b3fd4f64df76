"""The incident and problem pages, in-process, against the live tickets and migration services:
the query bar and builder, saved filters, the new incident form (CSRF, field errors, one
incident per form however often it is sent), comments, transitions, attachments, problems,
and user text always escaped."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from servicedesk.web.pages import query_builder
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer
from tests.web.browsing import csrf_token_in, sign_in

HX = {"HX-Request": "true"}
XSS = "<script>alert(1)</script>"


@pytest.fixture
async def tickets(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=10) as client:
        yield client


@pytest.fixture
async def migration(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.migration_url, timeout=10) as client:
        yield client


async def _signed_in(browser: httpx.AsyncClient, username: str) -> str:
    """Signs in; returns the CSRF token the pages carry."""
    await sign_in(browser, username)
    return csrf_token_in((await browser.get("/profile")).text)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


async def _new_form(browser: httpx.AsyncClient) -> dict[str, str]:
    page = await browser.get("/incidents/new")
    assert page.status_code == 200, page.text
    return {
        "csrf_token": csrf_token_in(page.text),
        "idempotency_key": _hidden(page.text, "idempotency_key"),
    }


async def _create(
    browser: httpx.AsyncClient, title: str, **fields: str
) -> tuple[str, httpx.Response]:
    """Registers an incident through the form; returns its key."""
    form = await _new_form(browser)
    data = {
        "title": title,
        "description": fields.pop("description", "Printer on floor 3 prints blank pages."),
        "category": fields.pop("category", "hardware"),
        "impact": "medium",
        "urgency": "high",
        "action": "create",
        **form,
        **fields,
    }
    response = await browser.post("/incidents/new", data=data)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    found = re.fullmatch(r"/incidents/(INC-\d+)", location)  # the banner is a one-time flash
    assert found, location
    return found.group(1), response


# --- the list, the query bar, the builder ----------------------------------------------------


async def test_the_list_has_the_bar_the_builder_the_filters_and_the_results(
    browser: httpx.AsyncClient,
) -> None:
    await _signed_in(browser, "agent1")
    page = await browser.get("/incidents?lang=en")
    assert page.status_code == 200
    text = page.text
    assert 'id="query-input"' in text
    assert 'role="combobox"' in text
    assert 'id="query-builder"' in text
    assert 'id="saved-filters"' in text
    assert 'hx-get="/incidents/saved-filters' in text  # counts come after the page
    assert 'href="/incidents/new"' in text
    for column in ("Key", "Title", "Status", "Priority", "Assignee", "Client", "Updated"):
        assert f'<th scope="col">{column}</th>' in text
    assert re.findall(r'<a href="/incidents/(INC-\d+)">', text)
    assert "<script>" not in text
    assert '<link rel="stylesheet" href="/static/incidents.css?v=' in text
    assert '<script src="/static/incidents.js?v=' in text


async def test_a_query_runs_and_pages(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    q = "priority >= high order by created desc"
    first = await browser.get("/incidents", params={"q": q})
    assert first.status_code == 200
    assert 'value="priority &gt;= high order by created desc"' in first.text
    keys = re.findall(r'<a href="/incidents/(INC-\d+)">', first.text)
    assert len(keys) == 20
    assert 'rel="next"' in first.text
    second = await browser.get("/incidents", params={"q": q, "page": "2"}, headers=HX)
    assert second.text.lstrip().startswith('<div id="incident-table"')
    more = re.findall(r'<a href="/incidents/(INC-\d+)">', second.text)
    assert more
    assert not set(more) & set(keys)
    assert 'rel="prev"' in second.text


async def test_a_wrong_query_says_where_and_offers_the_fix(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    page = await browser.get("/incidents", params={"q": "prio = high", "lang": "en"})
    assert page.status_code == 200
    assert "The query has an error at column 1" in page.text
    assert "<mark>prio</mark> = high" in page.text
    assert 'href="/incidents?q=priority%20%3D%20high"' in page.text
    assert 'aria-invalid="true"' in page.text


async def test_the_bar_completes_fields_operators_and_values(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    values = await browser.get(
        "/incidents/complete", params={"q": "status = n", "cursor": "10"}, headers=HX
    )
    assert values.status_code == 200
    assert 'role="listbox"' in values.text
    assert 'data-value="status = new"' in values.text
    assert 'data-cursor="12"' in values.text
    fields = await browser.get("/incidents/complete", params={"q": "pri"}, headers=HX)
    assert 'data-value="priority "' in fields.text  # a field is followed by a space
    middle = await browser.get(
        "/incidents/complete", params={"q": "stat = new", "cursor": "4"}, headers=HX
    )
    assert 'data-value="status = new"' in middle.text  # replaces the word at the cursor


async def test_the_builder_renders_text_and_reads_it_back(browser: httpx.AsyncClient) -> None:
    token = await _signed_in(browser, "agent1")
    form = {
        "csrf_token": token,
        "action": "apply",
        "join": "and",
        "field": ["status", "priority", "created"],
        "op": ["in", ">=", ">"],
        "value": ["new, В работе", "high", "-7d"],
        "sort_field": ["priority"],
        "sort_direction": ["desc"],
    }
    applied = await browser.post("/incidents/builder", data=form, headers=HX)
    assert applied.status_code == 200, applied.text
    text = "status in (new, in_progress) and priority >= high and created > -7d"
    text += " order by priority desc"
    assert f'value="{html.escape(text)}"' in applied.text
    assert 'hx-swap-oob="true"' in applied.text  # the bar and the results, out of band
    assert '<div id="incident-table" class="results" hx-swap-oob="true"' in applied.text
    push = urlsplit(applied.headers["hx-push-url"])
    assert parse_qs(push.query)["q"] == [text]

    back = await browser.get("/incidents/builder", params={"q": text}, headers=HX)
    assert back.status_code == 200
    assert '<option value="status" selected>' in back.text
    assert 'value="new, in_progress"' in back.text
    assert 'value="-7d"' in back.text
    assert '<option value="desc" selected>' in back.text

    plain = await browser.post("/incidents/builder", data=form)  # without JavaScript
    assert plain.status_code == 303
    assert parse_qs(urlsplit(plain.headers["location"]).query)["q"] == [text]


async def test_the_builder_keeps_what_it_cannot_show_in_the_text(
    browser: httpx.AsyncClient,
) -> None:
    await _signed_in(browser, "agent1")
    nested = "status = new or (priority = high and not assignee is empty)"
    page = await browser.get("/incidents/builder", params={"q": nested, "lang": "en"}, headers=HX)
    assert "more than the builder shows" in page.text


async def test_the_builder_asks_for_missing_values_and_explains_refusals(
    browser: httpx.AsyncClient,
) -> None:
    token = await _signed_in(browser, "agent1")
    base = {"csrf_token": token, "action": "apply", "join": "and"}
    empty = await browser.post(
        "/incidents/builder?lang=en",
        data={**base, "field": "status", "op": "=", "value": ""},
        headers=HX,
    )
    assert empty.status_code == 422
    assert "Enter a value." in empty.text
    wrong = await browser.post(
        "/incidents/builder",
        data={**base, "field": "status", "op": "=", "value": "neww"},
        headers=HX,
    )
    assert wrong.status_code == 422
    assert "did you mean" in wrong.text
    added = await browser.post(
        "/incidents/builder",
        data={**base, "action": "add-row", "field": "status", "op": "=", "value": "new"},
        headers=HX,
    )
    assert added.status_code == 200
    assert 'id="b-field-2"' in added.text


async def test_save_as_filter_and_run_it_from_the_sidebar(
    browser: httpx.AsyncClient, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    token = await _signed_in(browser, "agent1")
    name = f"web test {uuid.uuid4().hex[:8]}"
    q = "priority = critical and status != closed"
    saved = await browser.post(
        "/incidents/filters",
        data={"csrf_token": token, "q": q, "name": name, "scope": "group", "scope_group": ""},
    )
    assert saved.status_code == 422  # a group scope names the group
    assert 'id="f-scope_group-error"' in saved.text
    saved = await browser.post(
        "/incidents/filters",
        data={
            "csrf_token": token,
            "q": q,
            "name": name,
            "scope": "group",
            "scope_group": "first-line",
        },
    )
    assert saved.status_code == 303, saved.text
    query = parse_qs(urlsplit(saved.headers["location"]).query)
    filter_id = query["filter"][0]
    try:
        assert query["q"] == [q]
        sidebar = await browser.get(f"/incidents/saved-filters?current={filter_id}", headers=HX)
        assert sidebar.status_code == 200
        entry = re.search(
            rf'aria-current="true"[^>]*>\s*<span class="filter-name">{name}</span>'
            r'\s*<span class="count"[^>]*>([\d\s\xa0+]+)</span>',
            sidebar.text,
        )
        assert entry, sidebar.text
        again = await browser.post(
            "/incidents/filters",
            data={"csrf_token": token, "q": q, "name": name, "scope": "private"},
            headers=HX,
        )
        assert again.status_code == 422  # the name is taken
        assert 'id="f-name-error"' in again.text
    finally:
        headers = bearer(await tokens.access("agent1"))
        await tickets.delete(f"/api/v1/filters/{filter_id}", headers=headers)


# --- a new incident --------------------------------------------------------------------------


async def test_the_form_shows_categories_in_the_users_language_and_the_priority(
    browser: httpx.AsyncClient,
) -> None:
    await _signed_in(browser, "agent1")
    russian = await browser.get("/incidents/new")
    assert '<option value="hardware">Оборудование</option>' in russian.text
    assert re.search(r'name="idempotency_key" value="[0-9a-f-]{36}"', russian.text)
    assert 'id="client-picker"' in russian.text
    english = await browser.get("/incidents/new?lang=en")
    assert '<option value="hardware">Hardware</option>' in english.text
    preview = await browser.get(
        "/incidents/new/priority", params={"impact": "high", "urgency": "high"}, headers=HX
    )
    assert "priority--critical" in preview.text


async def test_a_reporter_gets_no_client_picker(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "reporter1")
    page = await browser.get("/incidents/new")
    assert page.status_code == 200
    assert 'id="client-picker"' not in page.text
    assert 'id="saved-filters"' not in (await browser.get("/incidents")).text


async def test_create_needs_the_csrf_token(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    form = await _new_form(browser)
    del form["csrf_token"]
    refused = await browser.post("/incidents/new", data={"title": "x", **form})
    assert refused.status_code == 403


async def test_field_errors_come_back_next_to_the_fields(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    form = await _new_form(browser)
    data = {**form, "title": "  ", "description": "", "category": "", "action": "create"}
    response = await browser.post("/incidents/new", data=data)
    assert response.status_code == 422
    for name in ("title", "description", "category"):
        assert f'id="f-{name}-error"' in response.text, name
    assert 'id="f-title" name="title"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{form["idempotency_key"]}"' in response.text  # the same form, kept
    htmx = await browser.post("/incidents/new", data=data, headers=HX)
    assert htmx.status_code == 422
    assert htmx.text.lstrip().startswith('<form id="new-incident"')


async def test_a_double_submit_makes_one_incident(
    browser: httpx.AsyncClient, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    await _signed_in(browser, "agent1")
    form = await _new_form(browser)
    title = f"Double submit {uuid.uuid4().hex[:8]}"
    data = {
        **form,
        "title": title,
        "description": "Sent twice.",
        "category": "software",
        "impact": "low",
        "urgency": "low",
        "action": "create",
    }
    first = await browser.post("/incidents/new", data=data)
    second = await browser.post("/incidents/new", data=data)
    assert first.status_code == second.status_code == 303
    assert urlsplit(first.headers["location"]).path == urlsplit(second.headers["location"]).path
    found = await tickets.get(
        "/api/v1/query",
        params={"q": f'title = "{title}"'},
        headers=bearer(await tokens.access("agent1")),
    )
    assert found.json()["total"] == 1


async def test_create_with_a_client_an_order_and_a_file(
    browser: httpx.AsyncClient, migration: httpx.AsyncClient, tokens: TokenShop
) -> None:
    await _signed_in(browser, "agent1")
    headers = bearer(await tokens.access("agent1"))
    name = f"Web Test Client {uuid.uuid4().hex[:8]}"
    client = await migration.post(
        "/api/v1/clients", json={"display_name": name, "kind": "company"}, headers=headers
    )
    assert client.status_code == 201, client.text
    client_id = client.json()["id"]
    order = await migration.post(
        "/api/v1/orders",
        json={
            "client_id": client_id,
            "currency": "RUB",
            "items": [{"sku": "PRN-1", "title": "Принтер", "quantity": 1, "unit_price": "100.00"}],
        },
        headers=headers,
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]

    found = await browser.get("/incidents/new/clients", params={"client_query": name}, headers=HX)
    assert f'value="{client_id}"' in found.text
    assert html.escape(name) in found.text
    legacy = await browser.get(
        "/incidents/new/clients", params={"client_query": "Рыбакова"}, headers=HX
    )
    assert re.search(r'value="LC-\d+"', legacy.text)
    assert "tag--legacy" in legacy.text
    orders = await browser.get("/incidents/new/orders", params={"client": client_id}, headers=HX)
    assert f'value="{order_id}"' in orders.text
    assert order.json()["number"] in orders.text

    form = await _new_form(browser)
    content = b"%PDF-1.4\n% a test file\n" + b"x" * 1000
    response = await browser.post(
        "/incidents/new",
        data={
            **form,
            "title": "Printer of the new client",
            "description": "It does not print.",
            "category": "hardware",
            "impact": "high",
            "urgency": "medium",
            "client": client_id,
            "order": order_id,
            "action": "create",
        },
        files={"files": ("report.pdf", content, "application/pdf")},
    )
    assert response.status_code == 303, response.text
    assert "refused=" not in response.headers["location"]
    page = await browser.get(response.headers["location"])
    assert html.escape(name) in page.text
    assert order.json()["number"] in page.text
    assert "priority--high" in page.text
    link = re.search(r'href="(/incidents/INC-\d+/attachments/[0-9a-f-]{36})"', page.text)
    assert link, page.text
    download = await browser.get(link.group(1))
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"] == "sandbox"
    assert download.headers["x-content-type-options"] == "nosniff"
    missing = await browser.get(link.group(1).rsplit("/", 1)[0] + f"/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")


async def test_a_file_of_almost_ten_megabytes_goes_through(browser: httpx.AsyncClient) -> None:
    token = await _signed_in(browser, "agent1")
    key, _ = await _create(browser, "A big scan")
    content = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 - 100)
    response = await browser.post(
        f"/incidents/{key}/attachments",
        data={"csrf_token": token, "visibility": "internal"},
        files={"file": ("scan.pdf", content, "application/pdf")},
    )
    assert response.status_code == 303, response.text[:500]
    assert "refused" not in response.headers["location"]
    page = await browser.get(f"/incidents/{key}")
    assert "scan.pdf" in page.text
    assert "10 МБ" in page.text
    assert "tag--internal" in page.text
    too_big = await browser.post(
        f"/incidents/{key}/attachments",
        data={"csrf_token": token},
        files={"file": ("huge.pdf", content + b"0" * 200, "application/pdf")},
    )
    assert too_big.status_code == 303
    assert "refused=huge.pdf" in too_big.headers["location"]


async def test_an_unknown_client_is_a_field_error(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    form = await _new_form(browser)
    response = await browser.post(
        "/incidents/new",
        data={
            **form,
            "title": "Unknown client",
            "description": "x",
            "category": "other",
            "client": "LC-999999999",
            "action": "create",
        },
    )
    assert response.status_code == 422
    assert 'id="f-client-error"' in response.text


# --- the incident page -----------------------------------------------------------------------


async def test_comments_public_and_internal_and_what_the_reporter_sees(
    web_app: Any, browser: httpx.AsyncClient
) -> None:
    await _signed_in(browser, "reporter1")
    key, _ = await _create(browser, "Reporter's own incident")
    mine = await browser.get(f"/incidents/{key}")
    assert mine.status_code == 200
    assert 'id="f-visibility"' not in mine.text  # reporters comment publicly only
    assert "История" not in mine.text

    transport = httpx.ASGITransport(app=web_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as agent:
        token = await _signed_in(agent, "agent1")
        public = await agent.post(
            f"/incidents/{key}/comments",
            data={"csrf_token": token, "body": "We are on it.", "visibility": "public"},
            headers=HX,
        )
        assert public.status_code == 200
        assert public.text.lstrip().startswith('<section id="comments"')
        assert "We are on it." in public.text
        internal = await agent.post(
            f"/incidents/{key}/comments",
            data={"csrf_token": token, "body": "Toner is empty.", "visibility": "internal"},
        )
        assert internal.status_code == 303
        seen = await agent.get(f"/incidents/{key}")
        assert "Toner is empty." in seen.text
        assert "tag--internal" in seen.text
        empty = await agent.post(
            f"/incidents/{key}/comments", data={"csrf_token": token, "body": " "}, headers=HX
        )
        assert empty.status_code == 422
        assert 'id="f-body-error"' in empty.text

    reporter_view = await browser.get(f"/incidents/{key}")
    assert "We are on it." in reporter_view.text
    assert "Toner is empty." not in reporter_view.text


async def test_a_reporter_sees_their_own_incidents_only(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    agents, _ = await _create(browser, "Agent's incident")
    browser.cookies.clear()
    await _signed_in(browser, "reporter1")
    page = await browser.get("/incidents", params={"q": f"key = {agents}"})
    assert page.status_code == 200
    assert f"/incidents/{agents}" not in page.text
    refused = await browser.get(f"/incidents/{agents}")
    assert refused.status_code == 404
    listed = await browser.get("/incidents")
    keys = re.findall(r'<a href="/incidents/(INC-\d+)">', listed.text)
    assert keys
    for key in keys[:5]:
        assert (await browser.get(f"/incidents/{key}")).status_code == 200


async def test_a_transition_asks_for_its_fields(browser: httpx.AsyncClient) -> None:
    token = await _signed_in(browser, "agent1")
    key, _ = await _create(browser, "To resolve")
    page = await browser.get(f"/incidents/{key}")
    assert 'value="start"' in page.text
    assert f'hx-get="/incidents/{key}/transitions/resolve"' in page.text
    form = await browser.get(f"/incidents/{key}/transitions/resolve", headers=HX)
    assert form.text.lstrip().startswith('<form id="transition-form"')
    assert 'name="resolution"' in form.text
    no_js = await browser.get(f"/incidents/{key}?transition=resolve")
    assert 'id="transition-form"' in no_js.text

    started = await browser.post(
        f"/incidents/{key}/transitions", data={"csrf_token": token, "transition": "start"}
    )
    assert started.status_code == 303
    missing = await browser.post(
        f"/incidents/{key}/transitions",
        data={"csrf_token": token, "transition": "resolve", "resolution": ""},
        headers=HX,
    )
    assert missing.status_code == 422
    assert 'id="f-resolution-error"' in missing.text
    resolved = await browser.post(
        f"/incidents/{key}/transitions",
        data={"csrf_token": token, "transition": "resolve", "resolution": "Replaced the toner."},
        headers=HX,
    )
    assert resolved.status_code == 204
    assert resolved.headers["hx-redirect"] == f"/incidents/{key}"
    after = await browser.get(f"/incidents/{key}")
    assert '<span class="status status--resolved">Решён</span>' in after.text
    assert "Replaced the toner." in after.text
    again = await browser.post(
        f"/incidents/{key}/transitions",
        data={"csrf_token": token, "transition": "start"},
        headers=HX,
    )
    assert again.status_code == 422  # not from "resolved": the form says why
    assert "alert--error" in again.text


async def test_user_text_is_always_escaped(browser: httpx.AsyncClient) -> None:
    token = await _signed_in(browser, "agent1")
    key, _ = await _create(browser, XSS, description=XSS)
    await browser.post(
        f"/incidents/{key}/comments",
        data={"csrf_token": token, "body": XSS, "visibility": "public"},
    )
    page = await browser.get(f"/incidents/{key}")
    listed = await browser.get("/incidents", params={"q": f"key = {key}"})
    for text in (page.text, listed.text):
        assert XSS not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # title, text, comment


# --- problems --------------------------------------------------------------------------------


async def test_problems_and_closing_one_closes_its_incidents(
    web_app: Any, browser: httpx.AsyncClient
) -> None:
    await _signed_in(browser, "agent1")
    key, _ = await _create(browser, f"Problem test {uuid.uuid4().hex[:8]}", category="other")
    incident_page = await browser.get(f"/incidents/{key}")
    problem = re.search(r'<a href="/problems/(PRB-\d+)">', incident_page.text)
    assert problem, incident_page.text
    problem_key = problem.group(1)
    listed = await browser.get("/problems")
    assert listed.status_code == 200
    assert "/problems/PRB-" in listed.text
    as_agent = await browser.get(f"/problems/{problem_key}")
    assert as_agent.status_code == 200
    assert f'<a href="/incidents/{key}">{key}</a>' in as_agent.text
    assert "/transitions/close" not in as_agent.text  # closing is for supervisors

    transport = httpx.ASGITransport(app=web_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as boss:
        token = await _signed_in(boss, "supervisor1")
        page = await boss.get(f"/problems/{problem_key}")
        assert f'hx-get="/problems/{problem_key}/transitions/close"' in page.text
        missing = await boss.post(
            f"/problems/{problem_key}/transitions",
            data={"csrf_token": token, "transition": "close"},
        )
        assert missing.status_code == 422
        assert 'id="f-resolution-error"' in missing.text
        closed = await boss.post(
            f"/problems/{problem_key}/transitions",
            data={"csrf_token": token, "transition": "close", "resolution": "Fixed upstream."},
        )
        assert closed.status_code == 303
        after = await boss.get(f"/problems/{problem_key}")
        assert '<span class="status status--closed">Закрыта</span>' in after.text
        row = re.search(rf'<a href="/incidents/{key}">.*?</tr>', after.text, re.S)
        assert row
        assert "status--closed" in row.group(0)
    incident_after = await browser.get(f"/incidents/{key}")
    assert '<span class="status status--closed">Закрыт</span>' in incident_after.text


async def test_a_reporter_may_not_see_problems(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "reporter1")
    assert (await browser.get("/problems")).status_code == 403


async def test_the_pickers_work_without_javascript(browser: httpx.AsyncClient) -> None:
    await _signed_in(browser, "agent1")
    form = await _new_form(browser)
    data = {**form, "title": "Kept", "client_query": "Рыбакова", "action": "find_client"}
    found = await browser.post("/incidents/new", data=data)
    assert found.status_code == 200
    assert 'value="Kept"' in found.text
    legacy = re.search(r'name="client" value="(LC-\d+)"', found.text)
    assert legacy, found.text
    orders = await browser.post(
        "/incidents/new", data={**data, "client": legacy.group(1), "action": "find_orders"}
    )
    assert orders.status_code == 200
    assert f'name="client" value="{legacy.group(1)}" checked' in orders.text
    assert re.search(r'name="order" value="LO-\d+"', orders.text)


# --- the builder's model, without the services ----------------------------------------------


def test_builder_rows_become_the_query_model_and_back() -> None:
    builder = query_builder.from_form(
        "or",
        ["title", "created", "key", "assignee", "status"],
        ["in", ">=", "=", "is", "in"],
        ['printer, "a, b", me()', "2026-01-31T10:00", "123", "ignored", "my_groups()"],
        ["priority", ""],
        ["desc", "asc"],
    )
    model = query_builder.to_model(builder)
    assert model["where"]["kind"] == "or"
    title, created, key, assignee, status = model["where"]["items"]
    assert title["value"]["items"] == [
        {"kind": "text", "value": "printer"},
        {"kind": "text", "value": "a, b"},
        {"kind": "function", "name": "me"},
    ]
    assert created["value"] == {"kind": "date", "date": "2026-01-31", "time": "10:00:00"}
    assert key["value"] == {"kind": "number", "value": 123}
    assert assignee["value"] == {"kind": "empty"}
    assert status["value"] == {"kind": "function", "name": "my_groups"}
    assert model["order_by"] == [{"field": "priority", "direction": "desc"}]
    again = query_builder.from_model(model)
    assert [row.value for row in again.rows] == [
        'printer, "a, b", me()',
        "2026-01-31T10:00:00",
        "123",
        "",
        "my_groups()",
    ]
    assert again.join == "or"


def test_nested_queries_stay_text() -> None:
    nested = {
        "entity": "incident",
        "where": {
            "kind": "not",
            "item": {
                "kind": "comparison",
                "field": "status",
                "op": "=",
                "value": {"kind": "text", "value": "new"},
            },
        },
    }
    with pytest.raises(query_builder.NotFlat):
        query_builder.from_model(nested)
