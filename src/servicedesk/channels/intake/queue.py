"""The durable inbound queue: what a provider sent is stored first (one row per provider id,
so a repeat is found and ignored), acknowledged, and processed afterwards by workers.

A worker takes the oldest pending item whose thread (a chat, a phone) has nothing older pending,
and holds its row lock while it works: items of one thread go in order, threads in parallel,
and an item is never worked on twice at once. Processing commits the outcome with the effects
kept here; effects elsewhere (an incident, a comment) carry an Idempotency-Key made from the
item, so an item processed again after a crash changes nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from servicedesk.channels.metrics import INBOX_PROCESSED, INBOX_PROCESSING_SECONDS
from servicedesk.channels.models import InboxItem
from servicedesk.kernel.db import Database, WriteSession

log = logging.getLogger(__name__)
Handler = Callable[[WriteSession, InboxItem], Awaitable[str]]

_CLAIM = text(
    """
    select i.id from channels.inbox i
    where i.processed_at is null
      and not exists (
        select 1 from channels.inbox e
        where e.thread = i.thread and e.processed_at is null and e.id < i.id)
    order by i.id
    limit 1
    for update skip locked
    """
)


async def store(
    session: WriteSession,
    *,
    channel: str,
    source: str,
    external_id: str,
    thread: str,
    payload: dict[str, Any],
) -> bool:
    """Keeps the item; False when the provider sent it before (a duplicate)."""
    stored = await session.scalar(
        insert(InboxItem)
        .values(
            channel=channel,
            source=source,
            external_id=external_id,
            thread=thread,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(InboxItem.id)
    )
    return stored is not None


class InboxWorkers:
    """A few workers draining the inbound queue; `wake()` after storing skips the poll wait."""

    def __init__(
        self,
        database: Database,
        handlers: dict[str, Handler],
        *,
        workers: int,
        max_attempts: int,
        poll_interval_s: float,
    ) -> None:
        self.database = database
        self.handlers = handlers
        self.workers = workers
        self.max_attempts = max_attempts
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        await asyncio.gather(*(self._work(n) for n in range(self.workers)))

    async def _work(self, number: int) -> None:
        while True:
            try:
                worked = await self.process_one()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox worker failed; retrying", extra={"worker": number})
                worked = False
                await asyncio.sleep(self.poll_interval_s)
            if not worked:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)

    async def process_one(self) -> bool:
        """Processes the next item, if any; whether there was one."""
        async with self.database.write() as session:
            item_id = await session.scalar(_CLAIM)
            if item_id is None:
                return False
            item = await session.get(InboxItem, item_id)
            assert item is not None
            started = time.perf_counter()
            outcome = await self._handle(session, item)
            INBOX_PROCESSING_SECONDS.labels(item.channel).observe(time.perf_counter() - started)
            INBOX_PROCESSED.labels(item.channel, outcome).inc()
            return True

    async def _handle(self, session: WriteSession, item: InboxItem) -> str:
        handler = self.handlers.get(item.channel)
        item.attempts += 1
        if handler is None:
            return self._finish(item, "unhandled")
        try:
            async with session.begin_nested():
                outcome = await handler(session, item)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - kept, retried, given up after max_attempts
            item.last_error = f"{type(error).__name__}: {error}"[:2000]
            log.warning(
                "inbound item failed",
                extra={"item": item.id, "attempt": item.attempts, "error": item.last_error},
            )
            if item.attempts >= self.max_attempts:
                return self._finish(item, "failed")
            await asyncio.sleep(min(5.0, 0.2 * 2**item.attempts))
            return "retry"
        return self._finish(item, outcome)

    @staticmethod
    def _finish(item: InboxItem, outcome: str) -> str:
        item.processed_at = datetime.now(UTC)
        item.outcome = outcome[:32]
        return outcome
