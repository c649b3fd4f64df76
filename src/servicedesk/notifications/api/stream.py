"""The live stream of a person's console (Server-Sent Events).

`event: notification` (id = the notification's id, data = it and the unread count) for each new
in-app notification; `event: unread` when the count changed elsewhere (read in another tab);
`event: changed` (no id) when any incident or problem changed, so open pages refresh. A
reconnecting browser sends `Last-Event-ID` and gets what it missed first. The stream ends after
`stream_max_s` and the browser reconnects by itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from servicedesk.kernel.state import kernel_state
from servicedesk.notifications.api.notifications import unread_count
from servicedesk.notifications.api.schemas import NotificationOut
from servicedesk.notifications.auth import RealmUser, person_of
from servicedesk.notifications.live.hub import Listener, News
from servicedesk.notifications.metrics import STREAMS
from servicedesk.notifications.models import notifications
from servicedesk.notifications.state import NotificationsStateDep

router = APIRouter(prefix="/api/v1", tags=["stream"])
REPLAY_LIMIT = 100
RETRY_MS = 2000


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"data: {json.dumps(data, default=str, ensure_ascii=False)}")
    return "\n".join(lines) + "\n\n"


class Stream:
    def __init__(self, engine: AsyncEngine, user_id: str, username: str, last_seen: int) -> None:
        self.engine = engine
        self.user_id = user_id
        self.username = username
        self.last_seen = last_seen

    async def newer(self) -> list[str]:
        """Everything after the last one sent (from the primary: the news is seconds old)."""
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(notifications)
                    .where(
                        notifications.c.user_id == self.user_id,
                        notifications.c.in_app,
                        notifications.c.seq > self.last_seen,
                    )
                    .order_by(notifications.c.seq)
                    .limit(REPLAY_LIMIT)
                )
            ).all()
            if not rows:
                return []
            unread = await unread_count(connection, self.user_id)  # type: ignore[arg-type]
        events = []
        for row in rows:
            item = NotificationOut.model_validate({**row._mapping, "id": row.seq})
            events.append(
                _event("notification", {**item.model_dump(mode="json"), "unread": unread}, row.seq)
            )
            self.last_seen = row.seq
        return events

    async def unread(self) -> str:
        async with self.engine.connect() as connection:
            count = await unread_count(connection, self.user_id)  # type: ignore[arg-type]
        return _event("unread", {"unread": count})

    async def answer(self, news: News) -> list[str]:
        if news.kind == "notification":
            return await self.newer()
        if news.kind == "unread":
            return [await self.unread()]
        return [_event("changed", news.data)]


async def _events(
    request: Request,
    stream: Stream,
    listener: Listener,
    max_s: float,
    ping_s: float,
    on_close: Any,
) -> AsyncIterator[str]:
    deadline = time.monotonic() + max_s
    try:
        yield f"retry: {RETRY_MS}\n\n"
        for event in await stream.newer():
            yield event
        yield await stream.unread()
        while time.monotonic() < deadline:
            if await request.is_disconnected():
                return
            try:
                news = await asyncio.wait_for(listener.queue.get(), ping_s)
            except TimeoutError:
                yield ": ping\n\n"
                for event in await stream.newer():  # a missed NOTIFY cannot lose one for long
                    yield event
                continue
            for event in await stream.answer(news):
                yield event
    finally:
        on_close(listener)


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    request: Request,
    caller: RealmUser,
    state: NotificationsStateDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Server-Sent Events for the caller's console (see the module's description)."""
    last = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    if last == 0:
        async with kernel_state(request).require_database().primary.connect() as connection:
            newest = await connection.scalar(
                select(notifications.c.seq)
                .where(notifications.c.user_id == caller.subject)
                .order_by(notifications.c.seq.desc())
                .limit(1)
            )
        last = int(newest or 0)  # a new console shows the list itself: only news from now on
    engine = kernel_state(request).require_database().primary
    live = Stream(engine, caller.subject, caller.username, last)
    listener = state.hub.join(caller.subject, person_of(caller).is_staff)
    STREAMS.labels("opened").inc()
    settings = state.settings
    body = _events(
        request, live, listener, settings.stream_max_s, settings.stream_ping_s, state.hub.leave
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
