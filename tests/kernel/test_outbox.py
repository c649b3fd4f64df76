"""The outbox against the real RabbitMQ: nothing lost while the broker is down, repeats tolerated.

The tests use their own exchange (`kerneltest.events`, with its own log stream and dead letters),
and a contract of their own, so they leave the platform's topology and log untouched."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData, func, select, text

from servicedesk.contracts import CloudEvent, EventData, EventSpec, Registry
from servicedesk.kernel.broker import Broker, BrokerUnavailable, Topology
from servicedesk.kernel.consumer import IdempotentConsumer, ReceivedEvent, retry_delay, subscribe
from servicedesk.kernel.db import Database, WriteSession
from servicedesk.kernel.events import (
    DomainEvent,
    outbox_table,
    processed_messages_table,
    record_event,
)
from servicedesk.kernel.outbox import OutboxRelay
from servicedesk.kernel.settings import DatabaseSettings
from tests.support.infra import BROKER_URL, admin_connection, admin_url, broker_app

SCHEMA = "kernel_outbox_test"
EXCHANGE = "kerneltest.events"
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
processed = processed_messages_table(metadata)


class NoteChangedV1(EventData):
    contract = EventSpec("kerneltest.changed", 1, "note", "kerneltest", "a test note changed")
    n: int


class NoteTwiceV1(EventData):
    contract = EventSpec("kerneltest.twice", 1, "note", "kerneltest", "a test note, twice")


TEST_CONTRACTS = Registry([NoteChangedV1, NoteTwiceV1])


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[Database]:
    admin = await admin_connection()
    await admin.execute(f"drop schema if exists {SCHEMA} cascade; create schema {SCHEMA}")
    await admin.close()
    db = Database(
        DatabaseSettings(primary_url=SecretStr(admin_url(driver="postgresql+asyncpg"))), None
    )
    async with db.primary.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            text(f"create table {SCHEMA}.handled (event_id text, aggregate_id text)")
        )
    yield db
    await db.dispose()


@pytest.fixture(scope="module", autouse=True)
async def test_topology() -> AsyncIterator[None]:
    """The test exchange's log and dead letters go when the module is done."""
    yield
    names = Topology.of(EXCHANGE)
    async with await aio_pika.connect(BROKER_URL) as connection:
        channel = await connection.channel()
        for queue_name in (names.log, names.dead_letter_queue):
            await channel.queue_delete(queue_name)
        await channel.exchange_delete(names.dead_letter_exchange)
        await channel.exchange_delete(names.exchange)


@pytest.fixture
async def queue() -> AsyncIterator[str]:
    """A durable test queue bound to this test's event type, declared before any outage."""
    name = f"test.outbox.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(BROKER_URL)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        declared = await channel.declare_queue(name, durable=True)
        await declared.bind(exchange, routing_key="servicedesk.kerneltest.#")
    yield name
    with contextlib.suppress(Exception):
        async with await aio_pika.connect(BROKER_URL) as connection:
            channel = await connection.channel()
            await channel.queue_delete(name)


async def _record(db: Database, aggregate: str, n: int) -> None:
    async with db.write() as session:
        await record_event(
            session,
            outbox,
            DomainEvent("kerneltest.changed", "note", aggregate, {"n": n}),
            contracts=TEST_CONTRACTS,
        )


async def _drain(queue: str, count: int, timeout_s: float) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with await aio_pika.connect(BROKER_URL) as connection:
        channel = await connection.channel()
        declared = await channel.get_queue(queue, ensure=False)
        while len(received) < count and loop.time() < deadline:
            message = await declared.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            received.append(json.loads(message.body))
    return received


async def test_events_written_while_the_broker_is_down_all_arrive_in_order(
    database: Database, queue: str
) -> None:
    broker = Broker(BROKER_URL, EXCHANGE)
    relay = OutboxRelay("kerneltest", database.primary, outbox, broker, idle_s=0.05, retry_s=0.2)
    aggregate = f"note-{uuid.uuid4().hex[:8]}"
    await broker_app(running=False)
    try:
        for n in range(25):
            await _record(database, aggregate, n)  # commits although the broker is down
        with pytest.raises(BrokerUnavailable):
            await relay.relay_once()
        relay_task = asyncio.create_task(relay.run_forever())
        await asyncio.sleep(1)
    finally:
        await broker_app(running=True)
    try:
        received = await _drain(queue, 25, timeout_s=30)
    finally:
        relay_task.cancel()
        await broker.close()
    assert all(e["specversion"] == "1.0" for e in received)
    assert {e["type"] for e in received} == {"servicedesk.kerneltest.changed.v1"}
    assert {e["source"] for e in received} == {"/servicedesk/kerneltest"}
    mine = [e["data"]["n"] for e in received if e["subject"] == aggregate]
    assert mine == list(range(25)), "every event arrives once the broker is back, in order"
    async with database.write() as session:
        left = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    assert left == 0


async def _remember(session: WriteSession, event: ReceivedEvent) -> None:
    await session.execute(
        text(f"insert into {SCHEMA}.handled values (:id, :aggregate)"),
        {"id": event.id, "aggregate": event.aggregate_id},
    )


async def test_consumer_handles_a_redelivered_event_once(database: Database) -> None:
    consumer = IdempotentConsumer("kerneltest.notes", database, processed, _remember, service="t")
    event = ReceivedEvent(str(uuid.uuid4()), "kerneltest.changed", "note", "n-1", {}, {})
    assert await consumer.handle(event) is True
    assert await consumer.handle(event) is False
    async with database.write() as session:
        times = await session.scalar(
            text(f"select count(*) from {SCHEMA}.handled where event_id = :id"), {"id": event.id}
        )
    assert times == 1


async def test_a_failing_handler_leaves_the_event_unprocessed(database: Database) -> None:
    async def explode(session: WriteSession, event: ReceivedEvent) -> None:
        await _remember(session, event)
        raise RuntimeError("handler failed")

    failing = IdempotentConsumer("kerneltest.fragile", database, processed, explode, service="t")
    event = ReceivedEvent(str(uuid.uuid4()), "kerneltest.changed", "note", "n-2", {}, {})
    with pytest.raises(RuntimeError):
        await failing.handle(event)
    healthy = IdempotentConsumer("kerneltest.fragile", database, processed, _remember, service="t")
    assert await healthy.handle(event) is True, "a retry after a failure is not a duplicate"


async def test_a_subscribed_consumer_tolerates_the_same_event_published_twice(
    database: Database,
) -> None:
    consumer = IdempotentConsumer(
        f"test.consumer.{uuid.uuid4().hex[:8]}",
        database,
        processed,
        _remember,
        service="t",
        contracts=TEST_CONTRACTS,
    )
    connection = await aio_pika.connect_robust(BROKER_URL)
    broker = Broker(BROKER_URL, EXCHANGE)
    event_id = str(uuid.uuid4())
    try:
        await subscribe(connection, EXCHANGE, consumer, [NoteTwiceV1.contract.type])
        event = CloudEvent(
            id=event_id,
            source="/servicedesk/kerneltest",
            type=NoteTwiceV1.contract.type,
            subject="n-3",
            data={},
        )
        for _ in range(2):
            await broker.publish_event(event)
        for _ in range(50):
            async with database.write() as session:
                seen = await session.scalar(
                    text(
                        f"select count(*) from {SCHEMA}.processed_messages where message_id = :id"
                    ),
                    {"id": event_id},
                )
            if seen:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        async with database.write() as session:
            times = await session.scalar(
                text(f"select count(*) from {SCHEMA}.handled where event_id = :id"),
                {"id": event_id},
            )
        assert times == 1
    finally:
        await broker.close()
        channel = await connection.channel()
        await channel.queue_delete(consumer.name)
        await connection.close()


def test_a_failed_event_waits_longer_before_each_retry() -> None:
    class Delivered:
        def __init__(self, headers: dict[str, object]) -> None:
            self.headers = headers

    delays = [retry_delay(Delivered({"x-delivery-count": n})) for n in range(10)]  # type: ignore[arg-type]
    assert delays[0] == 0.5
    assert delays == sorted(delays)
    assert max(delays) == 15.0
    assert 30 < sum(delays) < 120, "about a minute before the delivery limit gives it up"
    assert retry_delay(Delivered({})) == 0.5  # type: ignore[arg-type]
    assert retry_delay(Delivered({"x-delivery-count": "junk"})) == 0.5  # type: ignore[arg-type]
