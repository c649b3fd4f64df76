"""The notifications' subscription to the tickets' events, and the catch-up from the log.

The handler is bound at start-up (it needs the directory and the policy); until then, and
until the realm's people are read, an event waits (the consumer's transaction stays open)
instead of being requeued in a loop."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.consumer import ReceivedEvent, Subscription
from servicedesk.kernel.db import Database, WriteSession
from servicedesk.kernel.eventlog import Position, replay
from servicedesk.notifications.decide.decider import Decider
from servicedesk.notifications.models import processed_messages, service_marks

log = logging.getLogger(__name__)
QUEUE = "notifications.decide"
BINDINGS = ("servicedesk.incident.#", "servicedesk.problem.#")
CAUGHT_UP = "caught_up_from_log"
READY_WAIT_S = 60.0


class BoundHandler:
    def __init__(self) -> None:
        self.decider: Decider | None = None
        self.bound = asyncio.Event()

    def bind(self, decider: Decider) -> None:
        self.decider = decider
        self.bound.set()

    async def __call__(self, session: WriteSession, event: ReceivedEvent) -> None:
        await asyncio.wait_for(self.bound.wait(), READY_WAIT_S)
        assert self.decider is not None
        await asyncio.wait_for(self.decider.directory.loaded.wait(), READY_WAIT_S)
        await self.decider.handle(session, event)


HANDLER = BoundHandler()
DECISIONS = Subscription(
    queue=QUEUE, bindings=BINDINGS, processed=processed_messages, handler=HANDLER
)


async def catch_up_once(database: Database, url: str, exchange: str) -> None:
    """On a fresh install, feeds the queue with the whole events log once (old events only build
    watchers: see `stale_after_s`); later starts find the mark and skip it."""
    async with database.write() as session:
        done = await session.scalar(
            select(service_marks.c.name).where(service_marks.c.name == CAUGHT_UP)
        )
    if done:
        return
    while True:
        try:
            progress = await replay(url, exchange, QUEUE, BINDINGS, Position("first"))
            break
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the broker may be starting; the catch-up waits
            log.warning("catching up from the events log failed; retrying")
            await asyncio.sleep(5)
    async with database.write() as session:
        await session.execute(
            insert(service_marks)
            .values(name=CAUGHT_UP, value={"fed": progress.fed, "read": progress.read})
            .on_conflict_do_nothing()
        )
    log.info("caught up from the events log", extra={"fed": progress.fed})
