"""Live news for open consoles: one LISTEN connection per process hears what the deciders and
the API announce (PostgreSQL NOTIFY, sent on commit, so every replica hears every change) and
hands it to the streams of the people concerned."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from servicedesk.notifications.decide.decider import LIVE_CHANNEL

log = logging.getLogger(__name__)
QUEUE_SIZE = 500


@dataclass(frozen=True, slots=True)
class News:
    kind: str  # "notification" (look for new ones), "unread" (count changed), "change"
    data: dict[str, Any] = field(default_factory=dict)


class Listener:
    """One open stream's inbox. Staff hear of every change; a reporter only of their own."""

    def __init__(self, user_id: str, staff: bool) -> None:
        self.user_id = user_id
        self.staff = staff
        self.queue: asyncio.Queue[News] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, news: News) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stuck browser loses changes, not rows
            self.queue.put_nowait(news)


class LiveHub:
    def __init__(self, engine: AsyncEngine, retry_s: float = 2.0) -> None:
        self.engine = engine
        self.retry_s = retry_s
        self.listeners: dict[str, set[Listener]] = {}
        self.connected = asyncio.Event()

    def join(self, user_id: str, staff: bool) -> Listener:
        listener = Listener(user_id, staff)
        self.listeners.setdefault(user_id, set()).add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        group = self.listeners.get(listener.user_id)
        if group is not None:
            group.discard(listener)
            if not group:
                del self.listeners[listener.user_id]

    def hear(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except json.JSONDecodeError:
            return
        for user_id, seq in message.get("users", ()):
            for listener in self.listeners.get(user_id, ()):
                listener.offer(News("notification", {"seq": seq}))
        for user_id in message.get("unread", ()):
            for listener in self.listeners.get(user_id, ()):
                listener.offer(News("unread"))
        change = message.get("change")
        if change:
            reporter = change.pop("reporter_id", None)
            for group in self.listeners.values():
                for listener in group:
                    if listener.staff or listener.user_id == reporter:
                        listener.offer(News("change", change))

    async def run_forever(self) -> None:
        while True:
            try:
                async with self.engine.connect() as connection:
                    raw = await connection.get_raw_connection()
                    driver = raw.driver_connection
                    assert driver is not None
                    lost = asyncio.Event()
                    await driver.add_listener(LIVE_CHANNEL, lambda *args: self.hear(args[-1]))
                    driver.add_termination_listener(lambda *_, lost=lost: lost.set())
                    await connection.commit()
                    self.connected.set()
                    await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the hub outlives any one failure
                log.warning("live listener lost its connection; reconnecting")
            self.connected.clear()
            await asyncio.sleep(self.retry_s)
