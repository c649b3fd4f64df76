"""The events log on the real RabbitMQ: a consumer that comes later replays every event, in
order; an event that breaks its contract is dead-lettered with the reason, never retried.

The tests use their own exchange (`kerneltest-log.events`, its own log stream and dead letters)
so they leave the platform's log untouched; the code is the platform's.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aio_pika
import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData, text

from servicedesk.contracts import CloudEvent, IncidentCreatedV1
from servicedesk.kernel.broker import Broker, Topology, event_message
from servicedesk.kernel.consumer import (
    DEAD_CONSUMER,
    DEAD_REASON,
    IdempotentConsumer,
    ReceivedEvent,
    subscribe,
)
from servicedesk.kernel.db import Database, WriteSession
from servicedesk.kernel.eventlog import Position, replay, topic_matches
from servicedesk.kernel.events import outbox_table, processed_messages_table, record_event
from servicedesk.kernel.outbox import OutboxRelay
from servicedesk.kernel.settings import DatabaseSettings
from tests.support.infra import BROKER_URL, admin_connection, admin_url

SCHEMA = "kernel_eventlog_test"
EXCHANGE = "kerneltest-log.events"
CREATED = IncidentCreatedV1.contract.type
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
processed = processed_messages_table(metadata)


async def _drop_topology() -> None:
    names = Topology.of(EXCHANGE)
    async with await aio_pika.connect(BROKER_URL) as connection:
        channel = await connection.channel()
        for queue in (names.log, names.dead_letter_queue):
            await channel.queue_delete(queue)
        for exchange in (names.dead_letter_exchange, names.exchange):
            await channel.exchange_delete(exchange)


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[Database]:
    await _drop_topology()  # a fresh log: offsets start at 0
    admin = await admin_connection()
    await admin.execute(f"drop schema if exists {SCHEMA} cascade; create schema {SCHEMA}")
    await admin.close()
    db = Database(
        DatabaseSettings(primary_url=SecretStr(admin_url(driver="postgresql+asyncpg"))), None
    )
    async with db.primary.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            text(
                f"create table {SCHEMA}.received (n bigserial, consumer text, key text,"
                " event_id text, request_id text)"
            )
        )
    yield db
    await db.dispose()
    await _drop_topology()


def _incident(number: int) -> IncidentCreatedV1:
    return IncidentCreatedV1(
        id=uuid.uuid4(),
        key=f"INC-{number:06d}",
        title=f"Инцидент {number}",
        status="new",
        priority="medium",
        category="other",
        channel="web",
        reporter={
            "id": None,
            "username": "reporter1",
            "name": None,
            "email": None,
            "phone": None,
            "telegram_id": None,
        },
        assignee_username=None,
        group_id=None,
        client_ref=None,
        order_ref=None,
        problem_id=None,
        version=1,
        problem_key=None,
    )


async def _keep(session: WriteSession, event: ReceivedEvent) -> None:
    created = event.data_as(IncidentCreatedV1)
    await session.execute(
        text(f"insert into {SCHEMA}.received (consumer, key, event_id) values (:c, :k, :id)"),
        {"c": event.headers.get("consumer", ""), "k": created.key, "id": event.id},
    )


def _consumer(name: str, db: Database) -> IdempotentConsumer:
    async def keep(session: WriteSession, event: ReceivedEvent) -> None:
        await _keep(session, ReceivedEvent(**{**_fields(event), "headers": {"consumer": name}}))

    return IdempotentConsumer(name, db, processed, keep, service="kerneltest")


def _fields(event: ReceivedEvent) -> dict[str, object]:
    return {f: getattr(event, f) for f in ReceivedEvent.__dataclass_fields__}


async def _received(db: Database, consumer: str, count: int, timeout_s: float) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        async with db.write() as session:
            keys = list(
                await session.scalars(
                    text(f"select key from {SCHEMA}.received where consumer = :c order by n"),
                    {"c": consumer},
                )
            )
        if len(keys) >= count or asyncio.get_running_loop().time() > deadline:
            return keys
        await asyncio.sleep(0.2)


async def test_a_consumer_started_after_1000_incidents_receives_all_of_them_in_order(
    database: Database,
) -> None:
    broker = Broker(BROKER_URL, EXCHANGE)
    relay = OutboxRelay("kerneltest", database.primary, outbox, broker)
    started = datetime.now(UTC) - timedelta(seconds=1)
    for first in range(1, 1001, 100):  # as tickets records them: in the change's transaction
        async with database.write() as session:
            for number in range(first, first + 100):
                event = _incident(number)
                await record_event(session, outbox, event, subject=str(event.id))
    while await relay.relay_once():
        pass
    await broker.close()
    expected = [f"INC-{n:06d}" for n in range(1, 1001)]

    name, later, since = (f"kerneltest.{k}.{uuid.uuid4().hex[:6]}" for k in ("late", "n", "t"))
    fed = await replay(BROKER_URL, EXCHANGE, name, [CREATED], Position.parse("first"))
    assert (fed.first, fed.last, fed.read, fed.fed) == (0, 999, 1000, 1000)
    connection = await aio_pika.connect_robust(BROKER_URL)
    try:
        await subscribe(connection, EXCHANGE, _consumer(name, database), [CREATED], prefetch=1)
        assert await _received(database, name, 1000, timeout_s=120) == expected

        fed = await replay(
            BROKER_URL, EXCHANGE, later, ["servicedesk.incident.#"], Position("offset", offset=600)
        )
        assert (fed.read, fed.fed) == (400, 400)
        await subscribe(connection, EXCHANGE, _consumer(later, database), [CREATED], prefetch=1)
        assert await _received(database, later, 400, timeout_s=60) == expected[600:]

        fed = await replay(BROKER_URL, EXCHANGE, since, [CREATED], Position("time", time=started))
        assert fed.fed == 1000, "every event published since a moment before the test"
    finally:
        channel = await connection.channel()
        for queue in (name, later, since):
            with contextlib.suppress(Exception):
                await channel.queue_delete(queue)
        await connection.close()


async def test_an_event_that_breaks_its_contract_is_dead_lettered_with_the_reason(
    database: Database,
) -> None:
    name = f"kerneltest.strict.{uuid.uuid4().hex[:6]}"
    consumer = _consumer(name, database)
    good = _incident(424242)
    bad_data = good.model_dump(mode="json")
    del bad_data["status"]
    events = {
        "good": CloudEvent(
            id="good-" + name, source="/t", type=CREATED, data=good.model_dump(mode="json")
        ),
        "contract": CloudEvent(id="bad-" + name, source="/t", type=CREATED, data=bad_data),
        "unknown-type": CloudEvent(
            id="odd-" + name, source="/t", type="servicedesk.x.y.v9", data={}
        ),
    }
    dead_queue = Topology.of(EXCHANGE).dead_letter_queue
    connection = await aio_pika.connect_robust(BROKER_URL)
    broker = Broker(BROKER_URL, EXCHANGE)
    try:
        await subscribe(connection, EXCHANGE, consumer, [CREATED])
        channel = await connection.channel()
        await (await channel.get_queue(dead_queue)).purge()
        for event in events.values():  # all routed to the consumer's binding
            await broker.publish_message(event_message(event), routing_key=CREATED)
        await broker.publish(CREATED, b"{not json", message_id="junk-" + name, headers={})
        dead: dict[str, dict[str, object]] = {}
        deadline = asyncio.get_running_loop().time() + 30
        queue = await channel.get_queue(dead_queue)
        while len(dead) < 3 and asyncio.get_running_loop().time() < deadline:
            message = await queue.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            dead[str(message.message_id)] = dict(message.headers or {})
        assert {k: v[DEAD_REASON] for k, v in dead.items()} == {
            "bad-" + name: "contract",
            "odd-" + name: "unknown-type",
            "junk-" + name: "malformed",
        }
        assert all(v[DEAD_CONSUMER] == name for v in dead.values())
        assert "status" in str(dead["bad-" + name]["x-dead-letter-detail"])
        assert await _received(database, name, 1, timeout_s=10) == ["INC-424242"]
        await asyncio.sleep(1)
        left = await channel.declare_queue(name, passive=True)
        assert left.declaration_result.message_count == 0, "nothing left to retry"
    finally:
        await broker.close()
        channel = await connection.channel()
        await channel.queue_delete(name)
        await connection.close()


def test_positions_and_topic_patterns() -> None:
    assert Position.parse("first") == Position("first")
    assert Position.parse("offset 42") == Position("offset", offset=42)
    assert Position.parse("17") == Position("offset", offset=17)
    moment = Position.parse("2026-12-01T10:00:00")
    assert moment.time == datetime(2026, 12, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a position"):
        Position.parse("yesterday-ish")
    assert topic_matches("servicedesk.incident.*.v1", "servicedesk.incident.created.v1")
    assert topic_matches("servicedesk.#", "servicedesk.problem.closed.v1")
    assert topic_matches("#", "anything.at.all")
    assert not topic_matches("servicedesk.incident.*", "servicedesk.incident.created.v1")
    assert not topic_matches("servicedesk.client.#", "servicedesk.incident.created.v1")
