"""The sender: takes queued deliveries (per address in order), sends each through its channel
within the send-rate limits, and logs every attempt. A crash between a provider's acceptance
and our commit sends that message again: outbound delivery is at least once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from servicedesk.channels.metrics import DELIVERY_LATENCY, MESSAGES_OUT
from servicedesk.channels.models import ChannelIdentity, Delivery, DeliveryAttempt, ProviderMessage
from servicedesk.channels.outbound.ratelimit import SendRate
from servicedesk.channels.outbound.transport import (
    RetryLater,
    SendFailed,
    Sent,
    Transport,
    Unreachable,
)
from servicedesk.kernel.db import Database, WriteSession

log = logging.getLogger(__name__)
MAX_WAIT_IN_HAND_S = 2.0  # longer waits for a rate slot put the delivery back in the queue
MAX_ATTEMPTS = 10

_CLAIM = text(
    """
    select d.id from channels.deliveries d
    where d.status = 'queued' and d.next_attempt_at <= now()
      and not exists (
        select 1 from channels.deliveries e
        where e.status = 'queued' and e.channel = d.channel and e.address = d.address
          and e.seq < d.seq)
    order by d.seq
    limit 1
    for update skip locked
    """
)


class Sender:
    def __init__(
        self,
        database: Database,
        transports: dict[str, Transport],
        rates: dict[str, SendRate],
        *,
        workers: int = 8,
        poll_interval_s: float = 0.5,
    ) -> None:
        self.database = database
        self.transports = transports
        self.rates = rates
        self.workers = workers
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        await asyncio.gather(*(self._work() for _ in range(self.workers)))

    async def _work(self) -> None:
        while True:
            try:
                worked = await self.send_one()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sender failed; retrying")
                worked = False
            if not worked:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)

    async def send_one(self) -> bool:
        async with self.database.write() as session:
            delivery_id = await session.scalar(_CLAIM)
            if delivery_id is None:
                return False
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            await self._send(session, delivery)
            return True

    async def _send(self, session: WriteSession, delivery: Delivery) -> None:
        transport = self.transports.get(delivery.channel)
        now = datetime.now(UTC)
        if transport is None:
            self._fail(session, delivery, "no-transport", f"channel {delivery.channel} is off")
            return
        rate, chat = self.rates.get(delivery.channel), transport.rate_key(delivery)
        if rate is not None and chat is not None:
            wait = await rate.reserve(chat)
            if wait > MAX_WAIT_IN_HAND_S:
                delivery.next_attempt_at = now + timedelta(seconds=wait)
                return
            await asyncio.sleep(wait)
        identity = (
            await session.get(ChannelIdentity, delivery.identity_id)
            if delivery.identity_id
            else None
        )
        delivery.attempts += 1
        started = time.perf_counter()
        try:
            sent = await transport.send(delivery, identity)
        except RetryLater as later:
            if later.done is not None:  # the first parts went out: they are not sent again
                self._keep(session, delivery, later.done)
            self._attempt(session, delivery, "retry-later", later.reason, started)
            delivery.next_attempt_at = datetime.now(UTC) + timedelta(seconds=later.after_s)
            MESSAGES_OUT.labels(delivery.channel, "throttled").inc()
            return
        except Unreachable as unreachable:
            if identity is not None:
                identity.reachable, identity.unreachable_reason = False, str(unreachable)[:200]
            self._attempt(session, delivery, "unreachable", str(unreachable), started)
            self._fail(session, delivery, "unreachable", str(unreachable))
            return
        except SendFailed as failed:
            self._attempt(session, delivery, "failed", failed.reason, started)
            if failed.retryable and delivery.attempts < MAX_ATTEMPTS:
                backoff = min(300.0, 2.0**delivery.attempts)
                delivery.next_attempt_at = datetime.now(UTC) + timedelta(seconds=backoff)
                delivery.last_error = failed.reason[:2000]
                MESSAGES_OUT.labels(delivery.channel, "retry").inc()
                return
            self._fail(session, delivery, "failed", failed.reason)
            return
        self._sent(session, delivery, sent, started)

    def _sent(self, session: WriteSession, delivery: Delivery, sent: Sent, started: float) -> None:
        now = datetime.now(UTC)
        delivery.status, delivery.sent_at, delivery.updated_at = "sent", now, now
        self._keep(session, delivery, sent)
        self._attempt(session, delivery, "sent", ",".join(sent.message_ids), started)
        DELIVERY_LATENCY.labels(delivery.channel).observe(
            (now - delivery.created_at).total_seconds()
        )
        MESSAGES_OUT.labels(delivery.channel, "sent").inc()

    @staticmethod
    def _keep(session: WriteSession, delivery: Delivery, sent: Sent) -> None:
        """The provider's ids of the parts sent (replies to them find the incident)."""
        delivery.parts = sent.parts
        for message_id in sent.message_ids:
            session.add(
                ProviderMessage(
                    provider=sent.provider, provider_message_id=message_id, delivery_id=delivery.id
                )
            )

    @staticmethod
    def _attempt(
        session: WriteSession, delivery: Delivery, outcome: str, detail: str, started: float
    ) -> None:
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                attempt=delivery.attempts,
                outcome=outcome,
                detail=detail[:2000],
                latency_ms=(time.perf_counter() - started) * 1000,
            )
        )

    @staticmethod
    def _fail(session: WriteSession, delivery: Delivery, outcome: str, reason: str) -> None:
        delivery.status, delivery.last_error = "failed", reason[:2000]
        delivery.updated_at = datetime.now(UTC)
        MESSAGES_OUT.labels(delivery.channel, outcome).inc()
