"""The ESB in-process for tests: the tickets app in-process (over ASGI), the ESB consumers on the
real broker (vhost servicedesk_test) under a prefix of their own, and a calling system that
publishes commands and hears its events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from servicedesk.channels.esb.topology import EsbNames
from servicedesk.channels.esb.wiring import run_esb
from servicedesk.channels.intake.tickets import TicketsGateway
from servicedesk.channels.settings import ChannelsSettings, EsbSettings
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.db import Database
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.tickets.app import create_app as create_tickets_app
from servicedesk.tickets.settings import TicketsSettings
from tests.support.isolation import TEST_ATTACHMENTS, TEST_BROKER_URL
from tests.support.tokens import TokenShop, bearer

EVENTS_EXCHANGE = "servicedesk.events"


@dataclass
class Caller:
    """A calling system: publishes commands with its routing keys, collects its events."""

    name: str
    channel: AbstractChannel
    names: EsbNames
    heard: asyncio.Queue[AbstractIncomingMessage] = field(default_factory=asyncio.Queue)
    queue: AbstractQueue | None = None
    backlog: list[AbstractIncomingMessage] = field(default_factory=list)

    async def listen(self) -> None:
        queue = await self.channel.declare_queue(exclusive=True)
        await queue.bind(self.names.events, routing_key=f"{self.name}.#")
        await queue.consume(self.heard.put, no_ack=True)
        self.queue = queue

    async def send(
        self,
        command: str,
        data: Any,
        *,
        event_id: str | None = None,
        subject: str | None = None,
        structured: bool = False,
        headers: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> str:
        event_id = event_id or str(uuid.uuid4())
        attributes = {
            "specversion": "1.0",
            "id": event_id,
            "source": f"/systems/{self.name}",
            "type": f"servicedesk.esb.{command}.v1",
        }
        if subject:
            attributes["subject"] = subject
        if structured:
            payload = json.dumps({**attributes, "data": data}).encode()
            message = aio_pika.Message(
                body or payload, content_type="application/cloudevents+json", headers=headers
            )
        else:
            ce = {f"ce-{k}": v for k, v in attributes.items()}
            message = aio_pika.Message(
                body if body is not None else json.dumps(data).encode(),
                content_type="application/json",
                headers={**ce, **(headers or {})},
            )
        exchange = await self.channel.get_exchange(self.names.commands, ensure=False)
        await exchange.publish(message, routing_key=f"{self.name}.{command}")
        return event_id

    async def next_event(self, event_type: str, wait_s: float = 20) -> AbstractIncomingMessage:
        """The next event of this type (others are kept for later asks)."""
        wanted = f"servicedesk.esb.{event_type}.v1"
        for message in self.backlog:
            if (message.headers or {}).get("ce-type") == wanted:
                self.backlog.remove(message)
                return message
        async with asyncio.timeout(wait_s):
            while True:
                message = await self.heard.get()
                if (message.headers or {}).get("ce-type") == wanted:
                    return message
                self.backlog.append(message)


@dataclass
class EsbStack:
    settings: EsbSettings
    names: EsbNames
    connection: aio_pika.abc.AbstractRobustConnection
    agent: httpx.AsyncClient
    database: Database

    async def caller(self, name: str = "monitoring") -> Caller:
        caller = Caller(name, await self.connection.channel(), self.names)
        await caller.listen()
        return caller

    async def dead_letters(self) -> list[AbstractIncomingMessage]:
        channel = await self.connection.channel()
        queue = await channel.get_queue(self.names.dead_letters, ensure=False)
        found = []
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            found.append(message)
        await channel.close()
        return found


async def cleanup(connection: aio_pika.abc.AbstractRobustConnection, names: EsbNames) -> None:
    channel = await connection.channel()
    for queue in (names.inbox, names.dead_letters, f"{names.commands.rsplit('.', 1)[0]}.followers"):
        with contextlib.suppress(Exception):
            await channel.queue_delete(queue)
    for exchange in (names.commands, names.events, names.dead_letter_exchange):
        with contextlib.suppress(Exception):
            await channel.exchange_delete(exchange)
    await channel.close()


@contextlib.asynccontextmanager
async def esb_stack(
    tokens: TokenShop, prefix: str | None = None, **changes: Any
) -> AsyncIterator[EsbStack]:
    prefix = prefix or f"test-esb-{uuid.uuid4().hex[:8]}"
    settings = EsbSettings(prefix=prefix, callers=("monitoring", "billing"), **changes)
    channels = ChannelsSettings()
    tickets_app = create_tickets_app(
        TicketsSettings(migration_url="http://127.0.0.1:9", attachments_dir=TEST_ATTACHMENTS)
    )
    async with tickets_app.router.lifespan_context(tickets_app), httpx.AsyncClient() as http:
        transport = httpx.ASGITransport(app=tickets_app)
        credentials = ClientCredentials(channels.keycloak, http)
        client = ServiceClient("tickets", "http://tickets", auth=credentials, transport=transport)
        database = Database(channels.db, None)
        connection = await aio_pika.connect_robust(TEST_BROKER_URL)
        agent = httpx.AsyncClient(
            transport=transport,
            base_url="http://tickets",
            headers=bearer(await tokens.access("agent1")),
        )
        task = asyncio.create_task(
            run_esb(TEST_BROKER_URL, EVENTS_EXCHANGE, database, TicketsGateway(client), settings)
        )
        names = EsbNames.of(prefix)
        try:
            await declared(connection, names)
            yield EsbStack(settings, names, connection, agent, database)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await cleanup(connection, names)
            await connection.close()
            await agent.aclose()
            await client.aclose()
            await database.dispose()


async def declared(connection: aio_pika.abc.AbstractRobustConnection, names: EsbNames) -> None:
    """Waits until the ESB declared its topology (the events exchange is the last)."""
    async with asyncio.timeout(20):
        while True:
            channel = await connection.channel()
            try:
                await channel.get_exchange(names.events, ensure=True)
                await channel.get_queue(f"{names.commands.rsplit('.', 1)[0]}.followers")
                return
            except aio_pika.exceptions.ChannelClosed:
                await asyncio.sleep(0.2)
            finally:
                with contextlib.suppress(Exception):
                    await channel.close()
