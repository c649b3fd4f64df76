"""The RabbitMQ connection: a durable topic exchange for events, publisher confirms on."""

from __future__ import annotations

import logging
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

log = logging.getLogger(__name__)
DEAD_LETTER_EXCHANGE = "servicedesk.dead-letters"


class BrokerUnavailable(Exception):
    pass


async def declare_topology(channel: AbstractChannel, exchange: str) -> AbstractExchange:
    """The events exchange and the dead-letter exchange with its queue; idempotent."""
    dead = await channel.declare_exchange(
        DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dead_queue = await channel.declare_queue(
        "dead-letters", durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_queue.bind(dead)
    return await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)


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

    async def publish(
        self, routing_key: str, body: bytes, *, message_id: str, headers: dict[str, Any]
    ) -> None:
        await self.connect()
        assert self._exchange is not None
        message = aio_pika.Message(
            body,
            message_id=message_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=headers,
        )
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
