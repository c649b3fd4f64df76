"""The RabbitMQ connection and topology: the events exchange, its log stream, dead letters.

- `servicedesk.events` (topic, durable): every event, routing key = its CloudEvents `type`.
- `servicedesk.events.log` (stream, bound with `#`): the log of every event published, kept
  for `LOG_MAX_AGE` or `LOG_MAX_BYTES`, whichever ends first (ADR 0020). Consumers that come
  later replay it (`servicedesk-ops events replay`).
- `servicedesk.dead-letters` (fanout) → queue `dead-letters`: what consumers could not take.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from servicedesk.contracts import CloudEvent
from servicedesk.contracts.envelope import STRUCTURED

log = logging.getLogger(__name__)
EVENTS_EXCHANGE = "servicedesk.events"
DEAD_LETTER_EXCHANGE = "servicedesk.dead-letters"
LOG_MAX_AGE = "90D"
LOG_MAX_BYTES = 20_000_000_000
LOG_SEGMENT_BYTES = 100_000_000
LOG_ARGUMENTS: dict[str, Any] = {
    "x-queue-type": "stream",
    "x-max-age": LOG_MAX_AGE,
    "x-max-length-bytes": LOG_MAX_BYTES,
    "x-stream-max-segment-size-bytes": LOG_SEGMENT_BYTES,
}


class BrokerUnavailable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Topology:
    """The names that belong to one events exchange. The platform's predate this class; any
    other exchange (a test's) gets its own set, so it touches nothing of the platform's."""

    exchange: str
    dead_letter_exchange: str
    dead_letter_queue: str
    log: str

    @classmethod
    def of(cls, exchange: str) -> Topology:
        if exchange == EVENTS_EXCHANGE:
            return cls(exchange, DEAD_LETTER_EXCHANGE, "dead-letters", f"{exchange}.log")
        dead = f"{exchange}.dead-letters"
        return cls(exchange, dead, dead, f"{exchange}.log")


async def declare_topology(channel: AbstractChannel, exchange: str) -> AbstractExchange:
    """The events exchange, its log stream and the dead letters; idempotent."""
    names = Topology.of(exchange)
    dead = await channel.declare_exchange(
        names.dead_letter_exchange, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dead_queue = await channel.declare_queue(
        names.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_queue.bind(dead)
    events = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    stream = await channel.declare_queue(names.log, durable=True, arguments=LOG_ARGUMENTS)
    await stream.bind(events, routing_key="#")
    return events


def event_message(event: CloudEvent, headers: dict[str, Any] | None = None) -> aio_pika.Message:
    """An event as an AMQP message: structured content mode, persistent."""
    return aio_pika.Message(
        event.to_json(),
        message_id=event.id,
        type=event.type,
        content_type=STRUCTURED,
        content_encoding="utf-8",
        timestamp=datetime.now(UTC),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers or {},
    )


class Broker:
    def __init__(self, url: str, exchange: str, publish_timeout_s: float = 5) -> None:
        self.url = url
        self.exchange_name = exchange
        self.publish_timeout_s = publish_timeout_s
        self.connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    @property
    def is_connected(self) -> bool:
        return (
            self.connection is not None
            and not self.connection.is_closed
            and self._channel is not None
            and not self._channel.is_closed
        )

    async def connect(self) -> None:
        if self.is_connected and self._exchange is not None:
            return
        try:
            self.connection = await aio_pika.connect(self.url, timeout=5)
            self._channel = await self.connection.channel(publisher_confirms=True)
            self._exchange = await self.declare_topology(self._channel)
        except Exception as exc:  # any failure to connect means unavailable
            await self.close()
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def declare_topology(self, channel: AbstractChannel) -> AbstractExchange:
        return await declare_topology(channel, self.exchange_name)

    async def publish_event(self, event: CloudEvent) -> None:
        """Publishes the event with its type as routing key; returns once the broker confirmed."""
        await self.publish_message(event_message(event), routing_key=event.type)

    async def publish(
        self, routing_key: str, body: bytes, *, message_id: str, headers: dict[str, Any]
    ) -> None:
        message = aio_pika.Message(
            body,
            message_id=message_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=headers,
        )
        await self.publish_message(message, routing_key=routing_key)

    async def publish_message(self, message: aio_pika.Message, *, routing_key: str) -> None:
        await self.connect()
        assert self._exchange is not None
        try:
            await self._exchange.publish(
                message, routing_key=routing_key, timeout=self.publish_timeout_s
            )
        except Exception as exc:  # whatever failed, the event was not delivered
            await self.close()
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        self._channel = self._exchange = None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                log.debug("closing a broken broker connection failed", exc_info=True)
