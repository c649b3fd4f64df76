"""The ESB's exchanges and queues on the broker.

- `<prefix>.commands` (topic): callers publish commands, routing key `<caller>.<command>`.
- `<prefix>.commands.in` (quorum): every command; delivery limit, reject-publish overflow,
  at-least-once dead-lettering into `<prefix>.commands.dlx` (fanout) → `<prefix>.commands.dlq`.
- `<prefix>.events` (topic): what we tell callers, routing key `<caller>.<event>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue
from aiormq.abc import FieldTable

from servicedesk.channels.settings import EsbSettings


@dataclass(frozen=True, slots=True)
class EsbNames:
    commands: str
    inbox: str
    dead_letter_exchange: str
    dead_letters: str
    events: str

    @classmethod
    def of(cls, prefix: str) -> EsbNames:
        return cls(
            commands=f"{prefix}.commands",
            inbox=f"{prefix}.commands.in",
            dead_letter_exchange=f"{prefix}.commands.dlx",
            dead_letters=f"{prefix}.commands.dlq",
            events=f"{prefix}.events",
        )


def inbox_arguments(names: EsbNames, settings: EsbSettings) -> FieldTable:
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": settings.delivery_limit,
        "x-max-length": settings.max_queue_length,
        "x-overflow": "reject-publish",
        "x-dead-letter-exchange": names.dead_letter_exchange,
        "x-dead-letter-strategy": "at-least-once",
    }


@dataclass(frozen=True, slots=True)
class EsbTopology:
    commands: AbstractExchange
    inbox: AbstractQueue
    dead_letter_exchange: AbstractExchange
    dead_letters: AbstractQueue
    events: AbstractExchange


async def declare_esb(channel: AbstractChannel, settings: EsbSettings) -> EsbTopology:
    """Declares everything (idempotent: the same arguments every time)."""
    names = EsbNames.of(settings.prefix)
    topic, durable = aio_pika.ExchangeType.TOPIC, True
    dlx = await channel.declare_exchange(
        names.dead_letter_exchange, aio_pika.ExchangeType.FANOUT, durable=durable
    )
    dlq = await channel.declare_queue(
        names.dead_letters, durable=durable, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dlx)
    commands = await channel.declare_exchange(names.commands, topic, durable=durable)
    inbox = await channel.declare_queue(
        names.inbox, durable=durable, arguments=inbox_arguments(names, settings)
    )
    await inbox.bind(commands, routing_key="#")
    events = await channel.declare_exchange(names.events, topic, durable=durable)
    return EsbTopology(commands, inbox, dlx, dlq, events)
