"""`GET /notifications/stream`: the notifications service's Server-Sent Events relayed to the
browser as they come, with the user's token and Last-Event-ID; the upstream stream closed when
the browser goes away; an empty stream saying when to come back when the service is away; 401
without a session. The console runs in uvicorn here (ASGI in-process buffers whole answers),
with the service played by tests/web/notifications_fake.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.types import Message

from servicedesk.web.event_stream import RelayedEvents, last_event_id
from tests.web.notifications_fake import (
    NOWHERE,
    console_signed_in,
    fake_notifications,
    notification,
    served,
)


@asynccontextmanager
async def console_served(notifications_url: str) -> AsyncIterator[tuple[str, str]]:
    """The console served over HTTP; its URL and agent1's session cookie (signed in through
    the same app in-process: Keycloak sends the browser back to :8000 only)."""
    async with console_signed_in(notifications_url) as (app, browser):
        cookie = browser.cookies["sd_session"]
        async with served(app) as url:
            yield url, cookie


async def _lines_until(lines: AsyncIterator[str], wanted: str, timeout_s: float = 5) -> list[str]:
    seen: list[str] = []

    async def read() -> None:
        async for line in lines:
            seen.append(line)
            if wanted in line:
                return

    await asyncio.wait_for(read(), timeout_s)
    return seen


async def test_events_are_relayed_live_from_the_last_one_seen() -> None:
    items = [notification(n) for n in (3, 2, 1)]
    async with fake_notifications(items) as fake, console_served(fake.url) as (url, cookie):
        headers = {"Cookie": f"sd_session={cookie}", "Last-Event-ID": "1"}
        async with (
            httpx.AsyncClient(base_url=url, timeout=10) as client,
            client.stream("GET", "/notifications/stream", headers=headers) as answer,
        ):
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            assert answer.headers["cache-control"] == "no-store"
            lines = answer.aiter_lines()
            replayed = await _lines_until(lines, "id: 3")
            assert "retry: 3000" in replayed
            assert "id: 2" in replayed, "replayed from after the last id seen"
            assert "id: 1" not in replayed
            started = time.monotonic()
            fake.push("changed", {"aggregate_type": "incident", "key": "INC-000123"})
            live = await _lines_until(lines, "event: changed", timeout_s=2)
            assert time.monotonic() - started < 1, "as it comes, not buffered"
            assert any('"key": "INC-000123"' in line for line in [*live, await anext(lines)])
        upstream = fake.stream_requests[0]
        assert upstream["last-event-id"] == "1"
        assert upstream["authorization"].startswith("Bearer ey"), "the user's own token"
        assert upstream["accept"] == "text/event-stream"
        for _ in range(50):  # the browser went away: the console closes its upstream stream
            if fake.streams_closed:
                break
            await asyncio.sleep(0.1)
        assert fake.streams_closed == 1


async def test_without_a_session_the_stream_is_refused() -> None:
    async with (
        fake_notifications() as fake,
        console_served(fake.url) as (url, _),
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        answer = await client.get("/notifications/stream")
    assert answer.status_code == 401
    assert fake.stream_requests == []


async def test_when_the_service_is_away_the_browser_is_told_to_come_back_later() -> None:
    async with (
        console_served(NOWHERE) as (url, cookie),
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        answer = await client.get(
            "/notifications/stream", headers={"Cookie": f"sd_session={cookie}"}
        )
    assert answer.status_code == 200, "an error status would make EventSource give up"
    assert answer.text.startswith("retry: 15000\n")


def test_only_the_services_ids_go_upstream() -> None:
    assert last_event_id("42") == "42"
    assert last_event_id(" 7 ") == "7"
    for odd in ("", None, "abc", "1\r\nX-Evil: 1", "9" * 21):
        assert last_event_id(odd) is None


def _upstream(chunks: list[bytes], hold: bool = False) -> tuple[httpx.Response, list[str]]:
    closed: list[str] = []

    async def body() -> AsyncIterator[bytes]:
        try:
            for chunk in chunks:
                yield chunk
            if hold:
                await asyncio.sleep(60)
        finally:
            closed.append("closed")

    return httpx.Response(200, content=body()), closed


async def _run(relay: RelayedEvents, disconnect_after_s: float | None = None) -> bytes:
    sent: list[Message] = []

    async def receive() -> Message:
        if disconnect_after_s is None:
            await asyncio.sleep(60)
        else:
            await asyncio.sleep(disconnect_after_s)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {"type": "http", "asgi": {"spec_version": "2.4"}}
    await asyncio.wait_for(relay(scope, receive, send), 5)
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def test_the_relay_ends_between_two_events_once_its_time_is_up() -> None:
    chunks = [b"id: 1\nevent: notification\n", b'data: {"id": 1}\n\n', b"id: 2\ndata: {}\n\n"]
    upstream, _ = _upstream(chunks)
    body = await _run(RelayedEvents(upstream, until=time.monotonic() - 1, retry_ms=3000))
    assert body == b'retry: 3000\n\nid: 1\nevent: notification\ndata: {"id": 1}\n\n'
    assert upstream.is_closed


async def test_the_relay_stops_and_closes_upstream_when_the_browser_leaves() -> None:
    upstream, closed = _upstream([b": ping\n\n"], hold=True)
    started = time.monotonic()
    body = await _run(
        RelayedEvents(upstream, until=time.monotonic() + 600, retry_ms=3000),
        disconnect_after_s=0.2,
    )
    assert time.monotonic() - started < 2
    assert body.startswith(b"retry: 3000\n\n: ping\n\n")
    assert upstream.is_closed
    assert closed == ["closed"], "no longer read"
