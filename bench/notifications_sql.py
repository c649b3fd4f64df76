"""The SQL baseline of the notifications burst: the rows the service wrote for the run, written
again by SQL alone, one transaction an event as the consumer's, at the service's parallelism.

Per event: its processed id, the watchers the decider adds (the creator and a reporter of the
realm on `created`, the author on `commented`), each notification (`returning seq`) with its
dispatches (status `pending`, or `held` by quiet hours, as decided), and the two NOTIFYs the
service sends (the change, the people with news). Into copies of the four tables, indexes
included, in the schema `bench_notifications_burst` of the same database, dropped at the end.
What the service does besides: parse and check the event, read the item's watchers and
everyone's preferences (cached for 5 s), choose the people, render each text, and for mail that
waits for a digest read and move the digest's due time (two statements more).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tests.support.isolation import TEST_DATABASE

from bench.notifications_events import COMMENTED, CREATED, BenchEvent
from bench.notifications_people import user_id
from bench.notifications_report import Latencies, SqlFigures
from servicedesk.notifications.consumer import QUEUE
from servicedesk.ops.provision import admin_dsn

SCHEMA = "bench_notifications_burst"
CHANNEL = "bench_notifications_burst"  # nobody listens
TABLES = ("processed_messages", "watchers", "notifications", "dispatches")
NOTIFICATION_COLUMNS = (
    "event_id, user_id, username, kind, aggregate_type, aggregate_id, key, priority, actor,"
    " params, in_app, title, body, link"
)
READ_NOTIFICATIONS = f"""
select seq, {NOTIFICATION_COLUMNS}
from notifications.notifications where event_id = any($1::uuid[]) order by seq
"""
READ_DISPATCHES = """
select d.notification_seq, d.user_id, d.channel, d.status, d.reason, d.due_at, d.digest_key
from notifications.dispatches d join notifications.notifications n on n.seq = d.notification_seq
where n.event_id = any($1::uuid[])
"""
INSERT_PROCESSED = f"insert into {SCHEMA}.processed_messages (consumer, message_id) values ($1, $2)"
INSERT_WATCHER = f"""
insert into {SCHEMA}.watchers (aggregate_type, aggregate_id, user_id, username, source)
values ('incident', $1, $2, $3, $4) on conflict do nothing
"""
INSERT_NOTIFICATION = f"""
insert into {SCHEMA}.notifications ({NOTIFICATION_COLUMNS})
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14)
on conflict (event_id, user_id) do nothing returning seq
"""
INSERT_DISPATCH = f"""
insert into {SCHEMA}.dispatches
    (id, notification_seq, user_id, channel, status, reason, due_at, digest_key)
values ($1, $2, $3, $4, $5, $6, $7, $8)
"""
NOTIFY = "select pg_notify($1, $2)"


@dataclass
class Written:
    """One notification as written: its values, and its dispatches' values."""

    values: tuple[Any, ...]
    user_id: str
    dispatches: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class EventRows:
    event: BenchEvent
    watchers: list[tuple[str, str, str]]  # user id, username, source
    notifications: list[Written] = field(default_factory=list)

    @property
    def change(self) -> str:
        data = self.event.data
        return json.dumps(
            {
                "change": {
                    "aggregate_type": "incident",
                    "aggregate_id": data["id"],
                    "key": data["key"],
                    "version": data["version"],
                    "type": self.event.type,
                    "actor": self.event.actor,
                    "changed": data.get("changed"),
                }
            }
        )


def _watchers(event: BenchEvent) -> list[tuple[str, str, str]]:
    if event.type == CREATED:
        found = [(user_id(event.actor), event.actor, "created")]
        reporter = event.data["reporter"]
        if reporter["id"]:
            found.append((reporter["id"], reporter["username"], "reported"))
        return found
    if event.type == COMMENTED:
        return [(user_id(event.actor), event.actor, "commented")]
    return []


async def rows_of(database: asyncpg.Connection, events: list[BenchEvent]) -> list[EventRows]:
    """What the service wrote for each event, grouped by event."""
    ids = [e.id for e in events]
    by_event = {e.id: EventRows(e, _watchers(e)) for e in events}
    by_seq: dict[int, Written] = {}
    for row in await database.fetch(READ_NOTIFICATIONS, ids):
        values = tuple(row[c.strip()] for c in NOTIFICATION_COLUMNS.split(","))  # jsonb: text
        written = by_seq[row["seq"]] = Written(values, row["user_id"])
        by_event[str(row["event_id"])].notifications.append(written)
    for row in await database.fetch(READ_DISPATCHES, ids):
        held = (row["reason"] or "").startswith("quiet hours")
        status, reason = ("held", row["reason"]) if held else ("pending", None)
        by_seq[row["notification_seq"]].dispatches.append(
            (row["user_id"], row["channel"], status, reason, row["due_at"], row["digest_key"])
        )
    return list(by_event.values())


async def write(connection: asyncpg.Connection, item: EventRows) -> None:
    async with connection.transaction():
        await connection.execute(INSERT_PROCESSED, QUEUE, item.event.id)
        for watcher in item.watchers:
            await connection.execute(INSERT_WATCHER, item.event.incident_id, *watcher)
        await connection.execute(NOTIFY, CHANNEL, item.change)
        users: list[tuple[str, int]] = []
        for written in item.notifications:
            seq = await connection.fetchval(INSERT_NOTIFICATION, *written.values)
            users.append((written.user_id, seq))
            for dispatch in written.dispatches:
                await connection.execute(INSERT_DISPATCH, uuid.uuid4(), seq, *dispatch)
        if users:
            await connection.execute(NOTIFY, CHANNEL, json.dumps({"users": users}))


async def _create_tables(database: asyncpg.Connection) -> None:
    await database.execute(f"drop schema if exists {SCHEMA} cascade; create schema {SCHEMA}")
    for table in TABLES:
        await database.execute(
            f"create table {SCHEMA}.{table} (like notifications.{table} including all)"
        )


async def sql_baseline(
    database: asyncpg.Connection, events: list[BenchEvent], concurrency: int
) -> SqlFigures:
    work = await rows_of(database, events)
    await _create_tables(database)
    pool = await asyncpg.create_pool(
        admin_dsn(TEST_DATABASE), min_size=concurrency, max_size=concurrency
    )
    latencies: list[float] = []
    queue = iter(work)

    async def worker() -> None:
        async with pool.acquire() as connection:
            for item in queue:
                started = time.perf_counter()
                await write(connection, item)
                latencies.append(time.perf_counter() - started)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    finally:
        await pool.close()
        await database.execute(f"drop schema if exists {SCHEMA} cascade")
    counts: defaultdict[str, int] = defaultdict(int)
    for item in work:
        counts["notifications"] += len(item.notifications)
        counts["dispatches"] += sum(len(n.dispatches) for n in item.notifications)
    return SqlFigures(
        len(work), counts["notifications"], counts["dispatches"], seconds, Latencies.of(latencies)
    )
