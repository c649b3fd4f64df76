"""Starts the ESB inside the channels service: the command consumer and the followers' one."""

from __future__ import annotations

import asyncio
import logging

from aio_pika.abc import AbstractRobustConnection

from servicedesk.channels.esb.consumer import CommandConsumer
from servicedesk.channels.esb.desk import EsbDesk
from servicedesk.channels.esb.followers import followers_subscription
from servicedesk.channels.esb.topology import EsbNames, declare_esb, inbox_arguments
from servicedesk.channels.intake.tickets import TicketsGateway
from servicedesk.channels.settings import EsbSettings
from servicedesk.kernel.consumer import IdempotentConsumer, stay_connected, subscribe
from servicedesk.kernel.db import Database

log = logging.getLogger(__name__)


async def consume_esb(
    connection: AbstractRobustConnection,
    events_exchange: str,
    database: Database,
    tickets: TicketsGateway,
    settings: EsbSettings,
) -> None:
    """Declares the ESB's topology and consumes commands and the tickets events callers follow."""
    publisher = await connection.channel(publisher_confirms=True)
    topology = await declare_esb(publisher, settings)
    consuming = await connection.channel()
    await consuming.set_qos(prefetch_count=settings.prefetch)
    names = EsbNames.of(settings.prefix)
    # Declared (not only looked up) on this channel: a robust channel restores the consumers of
    # the queues it declared when the broker comes back.
    inbox = await consuming.declare_queue(
        names.inbox, durable=True, arguments=inbox_arguments(names, settings)
    )
    commands = CommandConsumer(
        database, EsbDesk(tickets, category=settings.category), settings, topology
    )
    await inbox.consume(commands.on_message)
    follow = followers_subscription(f"{settings.prefix}.followers", topology.events)
    consumer = IdempotentConsumer(
        follow.queue, database, follow.processed, follow.handler, service="channels"
    )
    await subscribe(connection, events_exchange, consumer, follow.bindings)


async def run_esb(
    url: str,
    events_exchange: str,
    database: Database,
    tickets: TicketsGateway,
    settings: EsbSettings,
    retry_s: float = 2.0,
) -> None:
    """Keeps the ESB consuming; waits for the broker if it is down at start."""

    async def start(connection: AbstractRobustConnection) -> None:
        await consume_esb(connection, events_exchange, database, tickets, settings)

    await stay_connected(url, start, "the ESB", retry_s)


def start_esb(
    url: str,
    events_exchange: str,
    database: Database,
    tickets: TicketsGateway,
    settings: EsbSettings,
) -> list[asyncio.Task[None]]:
    if not settings.enabled:
        return []
    return [
        asyncio.create_task(run_esb(url, events_exchange, database, tickets, settings), name="esb")
    ]
