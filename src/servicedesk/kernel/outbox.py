"""The outbox relay: publishes committed events to the broker, in order, at least once.

Each outbox row leaves as a CloudEvent (structured mode): `id` = the row's id, `source` =
/servicedesk/<service>, `type` = servicedesk.<event_type>.v<dataversion>, `subject` = the
aggregate's id, `time` = when it happened, `data` = the payload (checked against its contract
when it was recorded), extensions `requestid`, `aggregatetype` and `actor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from typing import Any

from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from servicedesk.contracts import CloudEvent, cloud_type, source_of
from servicedesk.contracts.envelope import JSON
from servicedesk.kernel.broker import Broker, BrokerUnavailable
from servicedesk.kernel.events import notify_channel
from servicedesk.kernel.metrics import OUTBOX_PENDING, OUTBOX_PUBLISHED

log = logging.getLogger(__name__)


def row_event(row: Row[Any], service: str) -> CloudEvent:
    """The CloudEvent an outbox row stands for."""
    headers = row.headers or {}
    return CloudEvent(
        id=str(row.id),
        source=source_of(service),
        type=cloud_type(row.event_type, int(headers.get("dataversion", 1))),
        subject=row.aggregate_id,
        time=row.occurred_at,
        datacontenttype=JSON,
        data=row.payload,
        requestid=headers.get("request_id"),
        aggregatetype=row.aggregate_type,
        actor=headers.get("actor"),
    )


class OutboxRelay:
    """One relay at a time per service (an advisory lock), so events leave in outbox order.

    Changes to one aggregate lock its row, so their events are written, and leave, in order.
    """

    def __init__(
        self,
        service: str,
        engine: AsyncEngine,
        outbox: Table,
        broker: Broker,
        *,
        batch_size: int = 200,
        idle_s: float = 5.0,
        retry_s: float = 2.0,
    ) -> None:
        self.service = service
        self.engine = engine
        self.outbox = outbox
        self.broker = broker
        self.batch_size = batch_size
        self.idle_s = idle_s
        self.retry_s = retry_s
        self.lock_key = zlib.crc32(f"outbox:{service}".encode())
        self._woken = asyncio.Event()

    async def run_forever(self) -> None:
        """Relays whenever a commit announces new events (NOTIFY), and every `idle_s` anyway."""
        async with self.engine.connect() as listening:
            await self._listen(listening)
            while True:
                try:
                    sent = await self.relay_once()
                except BrokerUnavailable as exc:
                    log.warning("broker unavailable; events stay queued", extra={"error": str(exc)})
                    await asyncio.sleep(self.retry_s)
                    continue
                except (OSError, DBAPIError, InterfaceError):
                    log.exception("outbox relay could not reach the database")
                    await asyncio.sleep(self.retry_s)
                    continue
                except Exception:  # the relay must outlive any one failure
                    log.exception("outbox relay failed; retrying")
                    await asyncio.sleep(self.retry_s)
                    continue
                if sent < self.batch_size:
                    await self._wait_for_news()

    async def _listen(self, connection: AsyncConnection) -> None:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.add_listener(notify_channel(self.outbox), lambda *_: self._woken.set())
        await connection.commit()

    async def _wait_for_news(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), self.idle_s)
        self._woken.clear()

    async def relay_once(self) -> int:
        """Publishes one batch; returns how many events left. Raises if the broker failed."""
        failure: BrokerUnavailable | None = None
        async with self.engine.begin() as connection:
            if not await connection.scalar(select(func.pg_try_advisory_xact_lock(self.lock_key))):
                return 0
            rows = await self._pending(connection)
            published: list[Any] = []
            for row in rows:
                try:
                    await self._publish(row)
                except BrokerUnavailable as exc:
                    failure = exc
                    break
                published.append(row.id)
            if published:
                await connection.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(published))
                    .values(published_at=func.now())
                )
            if rows:
                await self._update_pending_gauge(connection)
        OUTBOX_PUBLISHED.labels(self.service).inc(len(published))
        if failure is not None:
            raise failure
        return len(published)

    async def _pending(self, connection: AsyncConnection) -> list[Row[Any]]:
        query = (
            select(self.outbox)
            .where(self.outbox.c.published_at.is_(None))
            .order_by(self.outbox.c.seq)
            .limit(self.batch_size)
        )
        return list((await connection.execute(query)).all())

    async def _publish(self, row: Row[Any]) -> None:
        await self.broker.publish_event(row_event(row, self.service))

    async def _update_pending_gauge(self, connection: AsyncConnection) -> None:
        pending = await connection.scalar(
            select(func.count())
            .select_from(self.outbox)
            .where(self.outbox.c.published_at.is_(None))
        )
        OUTBOX_PENDING.labels(self.service).set(pending or 0)
