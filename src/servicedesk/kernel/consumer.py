"""Consuming events: a durable queue per consumer, each message handled once (processed ids)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.broker import DEAD_LETTER_EXCHANGE, declare_topology
from servicedesk.kernel.context import request_id_var
from servicedesk.kernel.db import Database, WriteSession
from servicedesk.kernel.metrics import EVENTS_CONSUMED

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    data: dict[str, Any]
    headers: dict[str, Any]

    @classmethod
    def from_message(cls, message: AbstractIncomingMessage) -> ReceivedEvent:
        body = json.loads(message.body)
        return cls(
            id=str(message.message_id or body["id"]),
            type=str(body["type"]),
            aggregate_type=str(body["aggregate_type"]),
            aggregate_id=str(body["aggregate_id"]),
            data=body.get("data", {}),
            headers=dict(message.headers or {}),
        )


EventHandler = Callable[[WriteSession, ReceivedEvent], Awaitable[None]]


class IdempotentConsumer:
    """Runs the handler and records the message id in one transaction; repeats are skipped."""

    def __init__(
        self,
        name: str,
        database: Database,
        processed: Table,
        handler: EventHandler,
        *,
        service: str,
    ) -> None:
        self.name = name
        self.database = database
        self.processed = processed
        self.handler = handler
        self.service = service

    async def handle(self, event: ReceivedEvent) -> bool:
        """Returns False when the event was handled before (a redelivery or a duplicate)."""
        async with self.database.write() as session:
            first_time = await session.scalar(
                insert(self.processed)
                .values(consumer=self.name, message_id=event.id)
                .on_conflict_do_nothing()
                .returning(self.processed.c.message_id)
            )
            if first_time is None:
                EVENTS_CONSUMED.labels(self.service, self.name, "duplicate").inc()
                return False
            await self.handler(session, event)
        EVENTS_CONSUMED.labels(self.service, self.name, "handled").inc()
        return True

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        event = ReceivedEvent.from_message(message)
        token = request_id_var.set(str(event.headers.get("request_id") or event.id))
        try:
            await self.handle(event)
        except Exception:
            EVENTS_CONSUMED.labels(self.service, self.name, "failed").inc()
            log.exception("event failed; it will be redelivered", extra={"event": event.id})
            await message.nack(requeue=True)
            return
        finally:
            request_id_var.reset(token)
        await message.ack()


async def subscribe(
    connection: AbstractRobustConnection,
    exchange: str,
    consumer: IdempotentConsumer,
    bindings: Sequence[str],
    *,
    prefetch: int = 20,
    delivery_limit: int = 10,
) -> None:
    """Binds the consumer's durable quorum queue to event types; poison messages dead-letter."""
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    events = await declare_topology(channel, exchange)
    queue = await channel.declare_queue(
        consumer.name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        },
    )
    for pattern in bindings:
        await queue.bind(events, routing_key=pattern)
    await queue.consume(consumer.on_message)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A consumer a service runs: its durable queue, the event types it takes, its handler."""

    queue: str
    bindings: tuple[str, ...]
    processed: Table
    handler: EventHandler


async def run_subscriptions(
    url: str,
    exchange: str,
    database: Database,
    service: str,
    subscriptions: Sequence[Subscription],
    retry_s: float = 2.0,
) -> None:
    """Keeps the subscriptions consuming; waits for the broker if it is down at start."""
    while True:
        try:
            connection = await aio_pika.connect_robust(url, timeout=5)
        except (OSError, aio_pika.exceptions.AMQPError):
            log.warning("broker unavailable; consumers will start when it is back")
            await asyncio.sleep(retry_s)
            continue
        try:
            for sub in subscriptions:
                consumer = IdempotentConsumer(
                    sub.queue, database, sub.processed, sub.handler, service=service
                )
                await subscribe(connection, exchange, consumer, sub.bindings)
            await asyncio.Future()  # the robust connection reconnects and resumes by itself
        finally:
            await connection.close()
