"""The console with the real notifications service of the live stack (and the real tickets
service): the bell counts what the service says, a change made by someone else reaches the
list, the stream and the way through a notification; watching an incident; @-mention choices
from the directory; the preferences as the service keeps them, its refusals by field.

They need the notifications service in the live stack (`live_stack.notifications_url`, see
tests/support/live_web.py) and are skipped, saying so, until it is there.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicedesk.web.app import create_app
from servicedesk.web.settings import WebSettings
from tests.support.live_web import WEB_URL, LiveStack
from tests.support.tokens import TokenShop, bearer
from tests.web.browsing import csrf_token_in, sign_in
from tests.web.notifications_fake import served

INCIDENTS = "/api/v1/incidents"


def notifications_url(live_stack: LiveStack) -> str:
    url = str(getattr(live_stack, "notifications_url", "") or "")
    if not url:
        pytest.skip("the live stack has no notifications service yet (tests/support/live_web.py)")
    return url


@pytest.fixture(scope="module")
async def live_console(live_stack: LiveStack) -> AsyncIterator[FastAPI]:
    """The console in-process on the live stack's services, the notifications service too."""
    settings = WebSettings(
        tickets_url=live_stack.tickets_url,
        migration_url=live_stack.migration_url,
        channels_url=live_stack.channels_url,
        notifications_url=notifications_url(live_stack),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def agent1(live_console: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=live_console, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=WEB_URL) as browser:
        await sign_in(browser, "agent1", next_url="/profile")
        yield browser


@pytest.fixture
async def tickets(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=10) as client:
        yield client


@pytest.fixture
async def service(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=notifications_url(live_stack), timeout=10) as client:
        yield client


def htmx(csrf: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true", "Origin": WEB_URL}
    return headers | ({"X-CSRF-Token": csrf} if csrf else {})


async def open_incident(tickets: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    body = {
        "title": f"Notifications {uuid.uuid4().hex[:10]}",
        "description": "The printer on floor 3 prints blank pages.",
        "category": "software",
    }
    created = await tickets.post(INCIDENTS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    incident: dict[str, Any] = created.json()
    return incident


async def assign(
    tickets: httpx.AsyncClient, headers: dict[str, str], incident: dict[str, Any], username: str
) -> dict[str, Any]:
    """PATCHes the assignee (by the directory's id), under If-Match."""
    found = await tickets.get("/api/v1/directory/users", params={"q": username}, headers=headers)
    user_id = next(u["id"] for u in found.json() if u["username"] == username)
    edited = await tickets.patch(
        f"{INCIDENTS}/{incident['id']}",
        json={"assignee": user_id},
        headers={**headers, "If-Match": f'"{incident["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    changed: dict[str, Any] = edited.json()
    return changed


def bell_count(html: str) -> str:
    found = re.search(r'<span class="bell-count" id="bell-count"[^>]*>([^<]*)</span>', html)
    assert found, "no bell"
    return found.group(1)


async def test_the_bell_counts_what_the_service_says(
    agent1: httpx.AsyncClient, service: httpx.AsyncClient, tokens: TokenShop
) -> None:
    headers = bearer(await tokens.access("agent1"))
    before = (await service.get("/api/v1/notifications/unread", headers=headers)).json()
    page = await agent1.get("/incidents")
    after = (await service.get("/api/v1/notifications/unread", headers=headers)).json()
    assert page.status_code == 200
    shown = int(bell_count(page.text) or 0)
    assert before["unread"] <= shown <= after["unread"], "what the service said meanwhile"


async def test_an_assignment_reaches_the_list_and_leads_to_the_incident(
    agent1: httpx.AsyncClient, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent2 = bearer(await tokens.access("agent2"))
    incident = await assign(tickets, agent2, await open_incident(tickets, agent2), "agent1")
    key = incident["key"]
    link = f"/go?to=/incidents/{key}"
    deadline = time.monotonic() + 10
    page = await agent1.get("/notifications?show=unread")
    while link not in page.text and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        page = await agent1.get("/notifications?show=unread")
    shown = re.findall(r'href="(/notifications/[^"]+)"', page.text)
    assert link in page.text, f"no notification of {key}: {shown}"
    found = re.search(rf'href="(/notifications/(\d+)/go\?to=/incidents/{key})"', page.text)
    assert found
    followed = await agent1.get(found.group(1).replace("&amp;", "&"))
    assert (followed.status_code, followed.headers["location"]) == (303, f"/incidents/{key}")
    again = await agent1.get("/notifications?show=unread")
    assert found.group(1) not in again.text, "read on the way"
    deliveries = await agent1.get(f"/notifications/{found.group(2)}/deliveries", headers=htmx())
    assert deliveries.status_code == 200


async def test_watching_an_incident_from_its_page(
    agent1: httpx.AsyncClient,
    tickets: httpx.AsyncClient,
    service: httpx.AsyncClient,
    tokens: TokenShop,
) -> None:
    agent2 = bearer(await tokens.access("agent2"))
    incident = await open_incident(tickets, agent2)
    page = await agent1.get(f"/incidents/{incident['key']}?lang=en")
    assert page.status_code == 200
    assert f'data-aggregate-id="{incident["id"]}" data-key="{incident["key"]}"' in page.text
    action = f"/watching/incident/{incident['id']}"
    assert f'action="{action}"' in page.text
    assert 'aria-pressed="false">Watch</button>' in page.text
    csrf = csrf_token_in(page.text)
    started = await agent1.post(
        action, data={"key": incident["key"], "action": "watch"}, headers=htmx(csrf)
    )
    assert 'aria-pressed="true">' in started.text
    state = await service.get(
        f"/api/v1/watch/incident/{incident['id']}", headers=bearer(await tokens.access("agent1"))
    )
    assert state.json()["watching"] is True
    assert "agent1" in [w["username"] for w in state.json()["watchers"]]
    stopped = await agent1.post(
        action, data={"key": incident["key"], "action": "unwatch"}, headers=htmx(csrf)
    )
    assert 'aria-pressed="false">' in stopped.text


async def test_mention_choices_come_from_the_directory(agent1: httpx.AsyncClient) -> None:
    choices = await agent1.get("/people/mentions", params={"q": "agen"}, headers=htmx())
    assert choices.status_code == 200
    assert 'data-username="agent1"' in choices.text
    assert 'data-username="agent2"' in choices.text
    assert 'role="listbox"' in choices.text
    nobody = await agent1.get("/people/mentions", params={"q": "zzzzqqq"}, headers=htmx())
    assert 'role="option"' not in nobody.text


async def test_preferences_as_the_service_keeps_them(agent1: httpx.AsyncClient) -> None:
    page = await agent1.get("/profile?lang=en")
    section = page.text[page.text.index('id="notifications"') :]
    assert 'value="incident_assigned:mine:in_app" checked disabled' in section, "locked"
    csrf = csrf_token_in(page.text)
    refused = await agent1.post(
        "/profile/notifications",
        data={
            "quiet_enabled": "on",
            "quiet_start": "25:99",
            "quiet_end": "08:00",
            "timezone": "Europe/Moscow",
        },
        headers=htmx(csrf),
    )
    assert refused.status_code == 422
    assert 'id="f-quiet_start-error"' in refused.text
    reset = await agent1.post("/profile/notifications/reset", headers=htmx(csrf))
    assert reset.status_code == 200
    assert "Defaults restored." in reset.text


async def test_the_stream_through_the_console(
    live_console: FastAPI, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    """A comment by agent2 naming @agent1: agent1's stream says the incident changed, and
    brings the mention."""
    transport = httpx.ASGITransport(app=live_console, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=WEB_URL) as browser:
        await sign_in(browser, "agent1", next_url="/profile")
        cookie = browser.cookies["sd_session"]
    agent2 = bearer(await tokens.access("agent2"))
    incident = await open_incident(tickets, agent2)
    async with (
        served(live_console) as url,
        httpx.AsyncClient(base_url=url, timeout=15) as client,
        client.stream(
            "GET", "/notifications/stream", headers={"Cookie": f"sd_session={cookie}"}
        ) as answer,
    ):
        assert answer.status_code == 200
        lines = answer.aiter_lines()
        await asyncio.sleep(0.5)  # the stream is open upstream
        said = await tickets.post(
            f"{INCIDENTS}/{incident['id']}/comments",
            json={"body": "@agent1 could you look?", "visibility": "internal"},
            headers=agent2,
        )
        assert said.status_code == 201, said.text
        events = await _events_about(lines, incident["key"], {"changed", "notification"})
    assert events["notification"]["kind"] == "mentioned", events
    assert events["notification"]["link"] == f"/incidents/{incident['key']}"
    assert events["changed"]["actor"] == "agent2"


async def _events_about(
    lines: AsyncIterator[str], key: str, kinds: set[str], timeout_s: float = 10
) -> dict[str, dict[str, Any]]:
    """The first event of each kind in `kinds` whose data names `key`."""
    found: dict[str, dict[str, Any]] = {}
    kind, data = "", ""

    async def read() -> None:
        nonlocal kind, data
        async for line in lines:
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data += line.removeprefix("data:").strip()
            elif not line:
                if kind in kinds and kind not in found and data:
                    event = json.loads(data)
                    if event.get("key") == key:
                        found[kind] = event
                if found.keys() == kinds:
                    return
                kind, data = "", ""

    await asyncio.wait_for(read(), timeout_s)
    return found
