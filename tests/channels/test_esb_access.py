"""A calling system's RabbitMQ user (set up by the bootstrap, scripts/lib/rabbitmq.sh) reaches
only its own routes: it publishes commands under its own name, binds its own queues to its own
events, and nothing else (not another caller's keys, not the platform's events)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection
from aiormq.exceptions import ChannelAccessRefused

from tests.support.isolation import TEST_BROKER_URL, TEST_VHOST

CALLER_URL = f"amqp://esb-monitoring:local-esb-monitoring@127.0.0.1:5672/{TEST_VHOST}"
COMMANDS, EVENTS = "servicedesk.esb.commands", "servicedesk.esb.events"


@pytest.fixture
async def caller() -> AbstractRobustConnection:
    admin = await aio_pika.connect_robust(TEST_BROKER_URL)
    async with admin:
        channel = await admin.channel()
        for name in (COMMANDS, EVENTS):  # as the ESB declares them
            await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
    return await aio_pika.connect_robust(CALLER_URL)


async def _refused(action: Callable[[aio_pika.abc.AbstractChannel], Awaitable[object]]) -> str:
    async with await aio_pika.connect(CALLER_URL) as connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused) as refused:
            await action(channel)
        return str(refused.value)


async def test_a_caller_reaches_only_its_own_routes(caller: AbstractRobustConnection) -> None:
    async with caller:
        channel = await caller.channel()
        mine = await channel.declare_queue(
            f"monitoring.events-{uuid.uuid4().hex[:6]}", exclusive=True
        )
        await mine.bind(EVENTS, routing_key="monitoring.#")
        await mine.unbind(EVENTS, routing_key="monitoring.#")

    async def bind_others(channel: aio_pika.abc.AbstractChannel) -> None:
        queue = await channel.declare_queue(
            f"monitoring.spy-{uuid.uuid4().hex[:6]}", exclusive=True
        )
        await queue.bind(EVENTS, routing_key="billing.#")

    async def publish_as(key: str, exchange: str) -> Callable[..., Awaitable[object]]:
        async def publish(channel: aio_pika.abc.AbstractChannel) -> None:
            target = await channel.get_exchange(exchange, ensure=False)
            await target.publish(aio_pika.Message(b"{}"), routing_key=key)
            await channel.declare_queue(f"monitoring.sync-{uuid.uuid4().hex}", exclusive=True)

        return publish

    assert "billing.#" in await _refused(bind_others)
    assert "billing.x" in await _refused(lambda ch: ch.declare_queue("billing.x"))
    assert "billing.create_incident" in await _refused(
        await publish_as("billing.create_incident", COMMANDS)
    )
    assert "servicedesk.events" in await _refused(
        await publish_as("incident.created", "servicedesk.events")
    )
