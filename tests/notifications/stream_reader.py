"""Reading a Server-Sent Events stream the way a browser's EventSource does."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class SseEvent:
    event: str = "message"
    id: str | None = None
    data: str = ""

    def json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


@dataclass
class SseReader:
    """Collects the events of one open stream in the background."""

    events: list[SseEvent] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    async def consume(self, response: httpx.Response) -> None:
        current = SseEvent()
        self.opened.set()
        async for line in response.aiter_lines():
            if not line:
                if current.data or current.event != "message":
                    self.events.append(current)
                current = SseEvent()
            elif line.startswith("event:"):
                current.event = line[6:].strip()
            elif line.startswith("id:"):
                current.id = line[3:].strip()
            elif line.startswith("data:"):
                current.data += line[5:].strip()

    async def wait_for(self, event: str, predicate: Any, timeout_s: float) -> SseEvent:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for item in self.events:
                if item.event == event and predicate(item.json()):
                    return item
            if asyncio.get_running_loop().time() > deadline:
                seen = [(e.event, e.data[:120]) for e in self.events]
                raise AssertionError(f"no {event} event in {timeout_s}s; saw {seen}")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def open_stream(
    url: str, headers: dict[str, str], last_event_id: str | None = None
) -> AsyncIterator[SseReader]:
    sent = {**headers, "Accept": "text/event-stream"}
    if last_event_id is not None:
        sent["Last-Event-ID"] = last_event_id
    reader = SseReader()
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
        client.stream("GET", url, headers=sent) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        task = asyncio.create_task(reader.consume(response))
        try:
            await reader.wait_for("unread", lambda _: True, 10)
            yield reader
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await task
