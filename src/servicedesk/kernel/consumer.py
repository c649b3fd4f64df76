"""Consuming events: a durable queue per consumer, each message handled once (processed ids).

Every message is parsed into its CloudEvent and its `data` validated against the contract of
its type before the handler sees it. A message that is not an event, or whose data fails its
contract, is dead-lettered at once with the reason in its headers (`x-dead-letter-reason`,
`x-dead-letter-detail`, `x-dead-letter-consumer`): retrying it could not help, and it is kept.
A handler that fails is retried (requeued) up to the queue's delivery limit, then dead-lettered
by the broker; each retry waits a little longer (`retry_delay`), so a passing fault (a database
restart, a directory not read yet) has about a minute to heal before the event is given up.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert

from servicedesk.contracts import (
    CONTRACTS,
    CloudEvent,
    ContractViolation,
    EventData,
    Registry,
    parse_message,
)
from servicedesk.kernel.broker import Topology, declare_topology
from servicedesk.kernel.context import request_id_var
from servicedesk.kernel.db import Database, WriteSession
from servicedesk.kernel.metrics import EVENTS_CONSUMED

log = logging.getLogger(__name__)
D = TypeVar("D", bound=EventData)
DEAD_REASON, DEAD_DETAIL, DEAD_CONSUMER = (
    "x-dead-letter-reason",
    "x-dead-letter-detail",
    "x-dead-letter-consumer",
)


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An event as a consumer sees it: the envelope's attributes and the typed `payload`."""

    id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    data: dict[str, Any]
    headers: dict[str, Any]
    payload: EventData | None = None
    envelope: CloudEvent | None = field(default=None, compare=False)

    @classmethod
    def from_message(
        cls, message: AbstractIncomingMessage, contracts: Registry = CONTRACTS
    ) -> ReceivedEvent:
        """Raises ContractViolation when the message is not an event of a known contract."""
        headers = dict(message.headers or {})
        event = parse_message(message.body, message.content_type, headers)
        return cls.of(event, contracts, headers)

    @classmethod
    def of(
        cls,
        event: CloudEvent,
        contracts: Registry = CONTRACTS,
        headers: dict[str, Any] | None = None,
    ) -> ReceivedEvent:
        payload = contracts.validate_incoming(event.type, event.data)
        return cls(
            id=event.id,
            type=event.type,
            aggregate_type=event.aggregatetype or payload.contract.aggregate,
            aggregate_id=event.subject or "",
            data=dict(event.data),
            headers=headers or {},
            payload=payload,
            envelope=event,
        )

    @property
    def actor(self) -> str | None:
        """Who made the change (the envelope's `actor` extension); None for the system."""
        return self.envelope.actor if self.envelope is not None else None

    @property
    def request_id(self) -> str:
        envelope_id = self.envelope.requestid if self.envelope is not None else None
        return str(envelope_id or self.headers.get("request_id") or self.id)

    def data_as(self, model: builtins.type[D]) -> D:
        """The payload as the contract model the handler expects (bound types guarantee it)."""
        if not isinstance(self.payload, model):
            raise ContractViolation("contract", f"{self.type} is not a {model.__name__}")
        return self.payload


EventHandler = Callable[[WriteSession, ReceivedEvent], Awaitable[None]]


class DeadLetters:
    """Publishes a message the consumer gives up on to the dead-letter exchange, confirmed."""

    def __init__(self, exchange: AbstractExchange, consumer: str) -> None:
        self.exchange = exchange
        self.consumer = consumer

    async def send(self, message: AbstractIncomingMessage, reason: str, detail: str) -> None:
        headers = {
            **(message.headers or {}),
            DEAD_REASON: reason,
            DEAD_DETAIL: detail[:1000],
            DEAD_CONSUMER: self.consumer,
        }
        copy = aio_pika.Message(
            message.body,
            headers=headers,
            message_id=message.message_id,
            type=message.type,
            content_type=message.content_type,
            timestamp=message.timestamp,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.exchange.publish(copy, routing_key=message.routing_key or "", timeout=10)


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
        contracts: Registry = CONTRACTS,
    ) -> None:
        self.name = name
        self.database = database
        self.processed = processed
        self.handler = handler
        self.service = service
        self.contracts = contracts
        self.dead_letters: DeadLetters | None = None

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
        try:
            event = ReceivedEvent.from_message(message, self.contracts)
        except ContractViolation as violation:
            await self._reject(message, violation)
            return
        token = request_id_var.set(event.request_id)
        try:
            await self.handle(event)
        except Exception:
            EVENTS_CONSUMED.labels(self.service, self.name, "failed").inc()
            log.exception("event failed; it will be redelivered", extra={"event": event.id})
            await asyncio.sleep(retry_delay(message))
            await message.nack(requeue=True)
            return
        finally:
            request_id_var.reset(token)
        await message.ack()

    async def _reject(self, message: AbstractIncomingMessage, violation: ContractViolation) -> None:
        """Off-contract: to the dead letters with the reason, then acked; if that fails, the
        message is requeued (and the broker dead-letters it at the delivery limit)."""
        EVENTS_CONSUMED.labels(self.service, self.name, "rejected").inc()
        log.warning(
            "event breaks its contract; dead-lettered",
            extra={"event": message.message_id, "reason": str(violation)},
        )
        try:
            if self.dead_letters is None:
                raise RuntimeError("no dead-letter exchange attached")
            await self.dead_letters.send(message, violation.reason, violation.detail)
        except Exception:
            log.exception("could not dead-letter an event; it will be redelivered")
            await message.nack(requeue=True)
            return
        await message.ack()


RETRY_FIRST_S = 0.5
RETRY_MAX_S = 15.0


def retry_delay(message: AbstractIncomingMessage) -> float:
    """How long a failed event waits before it goes back to the queue: doubling with the
    broker's count of earlier deliveries (`x-delivery-count` of quorum queues), at most
    RETRY_MAX_S."""
    raw = (message.headers or {}).get("x-delivery-count", 0)
    try:
        count = max(0, int(raw))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        count = 0
    return float(min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** min(count, 10)))


async def declare_consumer_queue(
    channel: AbstractChannel,
    exchange: str,
    name: str,
    bindings: Sequence[str],
    *,
    delivery_limit: int = 10,
) -> AbstractQueue:
    """The consumer's durable quorum queue, bound to its event types; poison dead-letters."""
    events = await declare_topology(channel, exchange)
    queue = await channel.declare_queue(
        name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": Topology.of(exchange).dead_letter_exchange,
        },
    )
    for pattern in bindings:
        await queue.bind(events, routing_key=pattern)
    return queue


async def subscribe(
    connection: AbstractRobustConnection,
    exchange: str,
    consumer: IdempotentConsumer,
    bindings: Sequence[str],
    *,
    prefetch: int = 20,
    delivery_limit: int = 10,
) -> None:
    """Declares the consumer's queue and consumes it."""
    confirming = await connection.channel(publisher_confirms=True)
    dead = await confirming.get_exchange(Topology.of(exchange).dead_letter_exchange, ensure=False)
    consumer.dead_letters = DeadLetters(dead, consumer.name)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await declare_consumer_queue(
        channel, exchange, consumer.name, bindings, delivery_limit=delivery_limit
    )
    await queue.consume(consumer.on_message)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A consumer a service runs: its durable queue, the event types it takes, its handler."""

    queue: str
    bindings: tuple[str, ...]
    processed: Table
    handler: EventHandler


async def stay_connected(
    url: str,
    start: Callable[[AbstractRobustConnection], Awaitable[None]],
    what: str,
    retry_s: float = 2.0,
) -> None:
    """Connects to the broker (waiting while it is down), lets `start` declare and consume,
    then keeps the robust connection, which reconnects and resumes by itself."""
    while True:
        try:
            connection = await aio_pika.connect_robust(url, timeout=5)
        except (OSError, aio_pika.exceptions.AMQPError):
            log.warning("broker unavailable; %s start when it is back", what)
            await asyncio.sleep(retry_s)
            continue
        try:
            await start(connection)
            await asyncio.Future()
        finally:
            await connection.close()


async def run_subscriptions(
    url: str,
    exchange: str,
    database: Database,
    service: str,
    subscriptions: Sequence[Subscription],
    retry_s: float = 2.0,
) -> None:
    """Keeps the subscriptions consuming; waits for the broker if it is down at start."""

    async def start(connection: AbstractRobustConnection) -> None:
        for sub in subscriptions:
            consumer = IdempotentConsumer(
                sub.queue, database, sub.processed, sub.handler, service=service
            )
            await subscribe(connection, exchange, consumer, sub.bindings)

    await stay_connected(url, start, "consumers", retry_s)
