"""A consumer that comes after the incidents: 1,000 incidents registered through the tickets
API, then a new consumer is fed from the events log (the platform's own exchange and stream, in
the tests' vhost) and receives every `incident.created` of them, in the order they were made."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import httpx

from servicedesk.contracts import IncidentCreatedV1
from servicedesk.kernel.consumer import ReceivedEvent
from servicedesk.kernel.eventlog import Position, replay
from servicedesk.kernel.settings import BrokerSettings
from tests.support.infra import BROKER_URL
from tests.support.tokens import TokenShop
from tests.tickets.factories import INCIDENTS, headers_of, tickets_db

INCIDENTS_MADE = 1_000
CREATED = IncidentCreatedV1.contract.type
EXCHANGE = BrokerSettings().exchange


async def _register(api: httpx.AsyncClient, headers: dict[str, str], tag: str) -> list[str]:
    keys = []
    for n in range(INCIDENTS_MADE):  # one after another: their order is the order of creation
        body = {"title": f"{tag} {n}", "description": "replay", "category": "software"}
        response = await api.post(INCIDENTS, json=body, headers=headers)
        assert response.status_code == 201, response.text
        keys.append(response.json()["key"])
    return keys


async def _all_published(keys: list[str], timeout_s: float = 60) -> None:
    """Waits until the outbox relay has published the incidents' creation events."""
    connection = await tickets_db()
    try:
        for _ in range(int(timeout_s / 0.2)):
            waiting = await connection.fetchval(
                "select count(*) from tickets.outbox where event_type = 'incident.created'"
                " and published_at is null and payload->>'key' = any($1::text[])",
                keys,
            )
            if waiting == 0:
                return
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    raise AssertionError("the outbox relay did not publish the events")


async def _consume(queue_name: str, tag: str, expected: int) -> list[str]:
    """What a late consumer reads from its queue: the keys of this test's incidents, in order."""
    keys: list[str] = []
    async with await aio_pika.connect(BROKER_URL) as connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        async with queue.iterator(timeout=30) as messages:
            async for message in messages:
                async with message.process():
                    created = ReceivedEvent.from_message(message).data_as(IncidentCreatedV1)
                    if created.title.startswith(tag):
                        keys.append(created.key)
                if len(keys) == expected:
                    break
    return keys


async def test_a_consumer_started_after_1000_incidents_receives_them_all_in_order(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    tag = f"replay-{uuid.uuid4().hex[:8]}"
    started = datetime.now(UTC) - timedelta(seconds=2)
    keys = await _register(tickets_api, await headers_of(tokens, "agent1"), tag)
    await _all_published(keys)

    consumer = f"tickets-test.late.{tag}"  # a consumer that did not exist while they were made
    try:
        fed = await replay(
            BROKER_URL, EXCHANGE, consumer, [CREATED], Position("time", time=started)
        )
        assert fed.fed >= INCIDENTS_MADE
        assert await _consume(consumer, tag, INCIDENTS_MADE) == keys
    finally:
        async with await aio_pika.connect(BROKER_URL) as connection:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.queue_delete(consumer)
