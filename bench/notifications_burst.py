"""Notifications: a burst of incident events decided for 200 people with mixed preferences,
beside the broker's own rate and the same rows written by SQL alone, in the same run.

Needs the infrastructure (`./sd up`, or the bootstrap) and the tests' database, Redis db and
vhost (`./sd test` provisions them). Touches no demo data and no test stack; run it where no
live test stack runs (they take turns on the lock):
    flock /tmp/sd-live.lock .venv/bin/python -m bench.notifications_burst [--events 10000]

1. People: the realm `servicedesk-bench` in Keycloak (bench/notifications_people.py: 120
   agents in six lines, 20 supervisors, 5 admins, 55 reporters), created in one import (about
   5 s) or reused, and deleted at the end unless `--keep-realm`; the preferences of 122 of them
   written into `notifications.preferences` of the tests' database (the rest keep their role's
   defaults).
2. Baseline, the broker: the run's events published to a plain quorum queue of the bench's own
   (default exchange) with publisher confirms, `--window` in flight, and consumed with the
   service's prefetch (20) and an ack each, nothing else: first publish → last consumed, and
   each message's publish → consume.
3. The burst: a notifications process of the bench's own (bench/notifications_service.py) takes
   one warm-up event; then `--events` events (bench/notifications_events.py: `--incidents`
   incidents created, reassigned, commented with @mentions, moved through their workflow) are
   published as structured CloudEvents to `servicedesk.events` with publisher confirms,
   `--window` in flight (`--rate` paces them instead of all at once). Routing key: the type
   plus `.bench`, which the notifications' binding `servicedesk.incident.#` takes and the
   channels' exact bindings do not, so no other consumer of the vhost gets them (the events
   log stream keeps them, as it keeps every event).
   Measured: the commit of each event's decision, seen as its NOTIFY (`notifications_live`,
   the very signal the live streams wait for) by a LISTEN of the bench; each notification's
   in-app moment, its `users` NOTIFY, minus the event's `time`; `created_at` (the decision's
   transaction start) minus `time`; the service's RSS before, at its peak and after, and its
   CPU time.
4. Baseline, SQL: the rows the service wrote for the run (processed message, watchers,
   notifications, dispatches, the two NOTIFYs), one transaction an event, 20 at once (the
   service's pool with its overflow), into copies of the tables in the schema
   `bench_notifications_burst` of the same database (indexes included; dropped at the end).
5. Cleanup: the service stopped; the bench people's notifications, dispatches, watchers, mail
   threads and preferences and the bench events' processed ids deleted from the tests'
   database; the bench's mailboxes (`nb-*+sdbench`) deleted unless `--keep-mail`. An earlier
   run's leftovers (one killed outright) go before a run starts.

`--dispatch off` measures decisions alone (the dispatcher asleep); by default mail goes to the
local Postfix and Telegram/SMS to nowhere (see bench/notifications_service.py).
`--profile PATH` runs the service under cProfile (about twice as slow; for finding where the
time goes, not for the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from tests.support.isolation import TEST_BROKER_URL, TEST_DATABASE

from bench import notifications_service as service
from bench.notifications_events import EVENT_ID_LIKE, BenchEvent, make_events
from bench.notifications_people import (
    REALM,
    bench_people,
    bench_preferences,
    delete_realm,
    ensure_realm,
    write_preferences,
)
from bench.notifications_report import Figures, Latencies, report
from bench.notifications_sql import sql_baseline
from servicedesk.kernel.broker import EVENTS_EXCHANGE, event_message
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.notifications.consumer import QUEUE
from servicedesk.notifications.decide.decider import LIVE_CHANNEL
from servicedesk.ops.provision import admin_dsn

ROUTING_SUFFIX = ".bench"
PROGRESS = """
select count(*) from notifications.processed_messages
where consumer = $1 and message_id = any($2::text[])
"""


# --- publishing --------------------------------------------------------------------------------


@dataclass
class Published:
    first: float
    seconds: float


async def publish(
    events: list[BenchEvent], window: int, rate: float, to_queue: str | None = None
) -> Published:
    """Each event with publisher confirms, `window` in flight, `time` set as it leaves; to the
    events exchange, or with `to_queue` straight to that queue (the default exchange)."""
    connection = await aio_pika.connect(TEST_BROKER_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = (
            channel.default_exchange
            if to_queue
            else await channel.get_exchange(EVENTS_EXCHANGE, ensure=True)
        )
        limit = asyncio.Semaphore(window)
        first = time.time()

        async def one(n: int, event: BenchEvent) -> None:
            if rate > 0:
                await asyncio.sleep(max(0.0, first + n / rate - time.time()))
            async with limit:
                event.time = time.time()
                message = event_message(event.cloud_event(datetime.fromtimestamp(event.time, UTC)))
                key = to_queue or event.type + ROUTING_SUFFIX
                await exchange.publish(message, routing_key=key, timeout=60)

        await asyncio.gather(*(one(n, e) for n, e in enumerate(events)))
        return Published(first, time.time() - first)
    finally:
        await connection.close()


# --- baseline: the broker alone ----------------------------------------------------------------


@dataclass
class BrokerFigures:
    published: Published
    seconds: float  # first publish → last consumed
    latencies: list[float]  # publish → consume, seconds


async def broker_baseline(events: list[BenchEvent], window: int, prefetch: int) -> BrokerFigures:
    name = f"bench.notifications-burst.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(TEST_BROKER_URL)
    latencies: list[float] = []
    done = asyncio.Event()
    last = 0.0
    sent = {e.id: e for e in events}
    channel = await connection.channel()
    try:
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal last
            last = time.time()
            latencies.append(last - sent[str(message.message_id)].time)
            await message.ack()
            if len(latencies) == len(events):
                done.set()

        await queue.consume(on_message)
        published = await publish(events, window, 0, to_queue=name)
        await asyncio.wait_for(done.wait(), 600)
    finally:
        with contextlib.suppress(Exception):  # the queue is the bench's: it never stays
            await (await connection.channel()).queue_delete(name)
        await connection.close()
    return BrokerFigures(published, last - published.first, latencies)


# --- the burst ---------------------------------------------------------------------------------


@dataclass(eq=False)  # hashable: asyncpg keeps its listeners in a set
class Live:
    """What the bench hears on the service's NOTIFY channel: (arrival, payload)."""

    heard: list[tuple[float, str]] = field(default_factory=list)
    changes: int = 0  # one a decided event

    def __call__(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.heard.append((time.time(), payload))
        if payload.startswith('{"change"'):
            self.changes += 1

    def commits(self, people: set[str]) -> tuple[dict[tuple[str, int], float], dict[int, float]]:
        """When each (incident, version) change and each notification seq of one of `people`
        was announced."""
        changes: dict[tuple[str, int], float] = {}
        users: dict[int, float] = {}
        for at, payload in self.heard:
            message = json.loads(payload)
            if "change" in message:
                change = message["change"]
                changes.setdefault((change["aggregate_id"], int(change["version"])), at)
            for user, seq in message.get("users", ()):
                if user in people:
                    users.setdefault(int(seq), at)
        return changes, users


async def wait_processed(
    database: asyncpg.Connection,
    ids: list[str],
    process: Any,
    timeout_s: float,
    live: Live | None = None,
) -> int:
    """Until every event is recorded as processed. With `live`, the database is asked only
    every 10 s and once the NOTIFYs heard say all are done, so that asking costs the service
    nothing in the meantime."""
    deadline = time.monotonic() + timeout_s
    asked = 0.0
    while True:
        heard_all = live is not None and live.changes >= len(ids)
        if live is None or heard_all or time.monotonic() - asked >= 10:
            done = int(await database.fetchval(PROGRESS, QUEUE, ids))
            if done >= len(ids) or time.monotonic() > deadline or process.poll() is not None:
                return done
            if live is not None and not heard_all:
                print(f"  processed {done:,} of {len(ids):,}", flush=True)
            asked = time.monotonic()
        await asyncio.sleep(0.25)


async def warm_up(database: asyncpg.Connection, event: BenchEvent) -> None:
    """One event through the service: its consumer is subscribed and its directory read."""
    await publish([event], 1, 0)
    if await wait_processed(database, [event.id], _NoProcess(), 120) != 1:
        raise RuntimeError(f"the warm-up event was not processed (log: {service.LOG_PATH})")


class _NoProcess:
    def poll(self) -> None:
        return None


@dataclass
class Burst:
    published: Published
    processed: int
    foreign_waiting: int
    rss_before: int
    rss_peak: int
    rss_after: int
    cpu_seconds: float
    max_consumers: int
    live: Live
    restored: int  # the tests' dispatches the bench's dispatcher took, put back as they were


OTHERS_DUE = """
select id, status, reason, due_at, attempts, last_error, sent_at, external_id, digest_id,
       created_at > now() - interval '3 minutes' as recent
from notifications.dispatches
where status in ('pending', 'held') and not (user_id = any($1))
"""
RESTORE = """
update notifications.dispatches set status = $2, reason = $3, due_at = $4, attempts = $5,
    last_error = $6, sent_at = $7, external_id = $8, digest_id = $9
where id = $1 and status not in ('sent', 'digested')
"""


async def others_dispatches(database: asyncpg.Connection) -> list[asyncpg.Record]:
    """The tests' due dispatches, which the bench's dispatcher will take and give up (their
    people are not in its realm): kept as they are, to be put back after the run (unless
    another dispatcher sent them meanwhile). Recent ones belong to a test session that may
    still run: then the bench refuses."""
    rows: list[asyncpg.Record] = await database.fetch(OTHERS_DUE, [p.id for p in bench_people()])
    if any(row["recent"] for row in rows):
        raise SystemExit(
            "the tests' database holds pending dispatches of other people made in the last 3"
            " minutes (a test session?): run later, or with --dispatch off"
        )
    return rows


async def restore_dispatches(database: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
    await database.executemany(RESTORE, [tuple(row.values())[:9] for row in rows])


async def run_burst(
    database: asyncpg.Connection, events: list[BenchEvent], args: argparse.Namespace
) -> Burst:
    waiting = await service.wait_for_no_consumer(args.wait_free)
    others = await others_dispatches(database) if args.dispatch == "on" else []
    running = await service.start_ready(args.dispatch == "on", args.profile)
    live = Live()
    listener = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    broker = await aio_pika.connect(TEST_BROKER_URL)
    try:
        await warm_up(database, events[0])
        await asyncio.sleep(2)  # the warm-up's mail and the first directory read settle
        pid = running.process.pid
        rss_before, cpu_before = service.rss_bytes(pid), service.cpu_seconds(pid)
        await listener.add_listener(LIVE_CHANNEL, live)
        ids = [e.id for e in events[1:]]
        print(f"burst: {len(ids):,} events (load average {service.load_average()})", flush=True)
        with service.Watch(pid, await broker.channel()) as watch:
            published = await publish(events[1:], args.window, args.rate)
            print(f"  published in {published.seconds:.1f} s", flush=True)
            processed = await wait_processed(database, ids, running.process, args.wait, live)
            await asyncio.sleep(0.5)  # the last NOTIFY reaches the listener
        rss_after, cpu_after = service.rss_bytes(pid), service.cpu_seconds(pid)
    finally:
        await listener.close()
        await broker.close()
        service.stop_service(running, profiled=args.profile is not None)
        await restore_dispatches(database, others)
    return Burst(
        published,
        processed,
        waiting,
        rss_before,
        max(watch.peak_rss, rss_after),
        rss_after,
        cpu_after - cpu_before,
        watch.max_consumers,
        live,
        len(others),
    )


# --- what the service decided ------------------------------------------------------------------

NOTIFICATIONS = """
select seq, event_id::text as event_id, kind, in_app, created_at
from notifications.notifications where event_id = any($1::uuid[])
"""
DISPATCHES = """
select d.channel, d.status, d.reason, count(*) as rows
from notifications.dispatches d join notifications.notifications n on n.seq = d.notification_seq
where n.event_id = any($1::uuid[]) group by 1, 2, 3 order by 1, 2
"""
# A dispatcher that does not know the bench's people (another notifications service on the
# tests' database) gives up their dispatches so; the bench's own never does.
NOT_IN_DIRECTORY = "the person is no longer in the directory"


async def figures_of(
    database: asyncpg.Connection, events: list[BenchEvent], burst: Burst
) -> Figures:
    burst_events = events[1:]
    by_id = {e.id: e for e in burst_events}
    rows = await database.fetch(NOTIFICATIONS, list(by_id))
    dispatches = await database.fetch(DISPATCHES, list(by_id))
    changes, users = burst.live.commits({p.id for p in bench_people()})
    commits = {
        e.id: changes[(str(e.incident_id), e.version)]
        for e in burst_events
        if (str(e.incident_id), e.version) in changes
    }
    committed = [at - by_id[event_id].time for event_id, at in commits.items()]
    in_app = [users[r["seq"]] - by_id[r["event_id"]].time for r in rows if r["seq"] in users]
    started = [r["created_at"].timestamp() - by_id[r["event_id"]].time for r in rows]
    return Figures(
        events=len(burst_events),
        processed=burst.processed,
        first_publish=burst.published.first,
        publish_seconds=burst.published.seconds,
        last_commit=max(commits.values(), default=0.0),
        notifications=len(rows),
        in_app_rows=sum(1 for r in rows if r["in_app"]),
        by_kind=Counter(r["kind"] for r in rows),
        dispatches=_by_status(dispatches),
        event_commit=Latencies.of(committed),
        in_app=Latencies.of(in_app),
        decision_start=Latencies.of(started),
        unannounced=sum(1 for r in rows if r["seq"] not in users),
        vanished=len(users.keys() - {r["seq"] for r in rows}),
        skipped_elsewhere=sum(r["rows"] for r in dispatches if r["reason"] == NOT_IN_DIRECTORY),
    )


def _by_status(rows: list[asyncpg.Record]) -> list[tuple[str, str, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        counts[(row["channel"], row["status"])] += row["rows"]
    return [(channel, status, n) for (channel, status), n in sorted(counts.items())]


# --- cleanup -----------------------------------------------------------------------------------

CLEANUP = """
with bench_seqs as (
    select seq from notifications.notifications where user_id = any($1)
), gone_dispatches as (
    delete from notifications.dispatches
    where notification_seq in (select seq from bench_seqs) or user_id = any($1)
    returning 1
), gone_notifications as (
    delete from notifications.notifications where seq in (select seq from bench_seqs)
    returning 1
), gone_watchers as (
    delete from notifications.watchers where user_id = any($1) returning 1
), gone_threads as (
    delete from notifications.mail_threads where user_id = any($1) returning 1
), gone_preferences as (
    delete from notifications.preferences where user_id = any($1) returning 1
), gone_processed as (
    delete from notifications.processed_messages where consumer = $2 and message_id like $3
    returning 1
)
select (select count(*) from gone_notifications) as notifications,
       (select count(*) from gone_dispatches) as dispatches,
       (select count(*) from gone_watchers) as watchers,
       (select count(*) from gone_processed) as processed
"""


async def clean_database(database: asyncpg.Connection) -> asyncpg.Record:
    """Every row of the bench's people and events in the tests' notifications schema."""
    ids = [p.id for p in bench_people()]
    return await database.fetchrow(CLEANUP, ids, QUEUE, EVENT_ID_LIKE)


# --- the run -----------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=1_000)
    parser.add_argument("--window", type=int, default=200, help="publishes awaiting confirms")
    parser.add_argument("--rate", type=float, default=0, help="events/s (0: all at once)")
    parser.add_argument("--dispatch", choices=("on", "off"), default="on")
    parser.add_argument("--sql-concurrency", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="the events' random seed")
    parser.add_argument("--wait", type=float, default=1800, help="for the burst, seconds")
    parser.add_argument("--wait-free", type=float, default=1800, help="for a test stack, s")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile output of the run")
    parser.add_argument("--keep-realm", action="store_true")
    parser.add_argument("--keep-mail", action="store_true")
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    client = KeycloakSettings.local("notifications").model_copy(update={"realm": REALM})
    database = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        left = await clean_database(database)
        boxes = service.delete_mail()  # the count of mail delivered is this run's
        if left["notifications"] or left["processed"] or boxes:
            print(f"removed an earlier run's rows: {dict(left)}, {boxes} mailboxes", flush=True)
        realm = await ensure_realm(client)
        print(
            f"realm {REALM}: {'created' if realm.created else 'reused'} in {realm.seconds:.1f} s",
            flush=True,
        )
        chosen = bench_preferences(realm)
        await write_preferences(database, chosen)
        events = make_events(realm, args.incidents, args.events + 1, random.Random(args.seed))
        print(f"baseline: {len(events) - 1:,} messages through a plain queue", flush=True)
        broker = await broker_baseline(events[1:], args.window, prefetch=20)
        burst = await run_burst(database, events, args)
        figures = await figures_of(database, events, burst)
        print("baseline: the same rows in SQL", flush=True)
        sql = await sql_baseline(database, events[1:], args.sql_concurrency)
        mail = service.count_mail()
        report(args, chosen, burst, figures, broker, sql, mail)
    finally:
        await asyncio.sleep(3)  # mail handed to Postfix before the stop reaches its boxes
        gone = await clean_database(database)
        await database.close()
        boxes = 0 if args.keep_mail else service.delete_mail()
        if not args.keep_realm:
            await delete_realm(client)
        print(
            f"cleaned: {dict(gone)}, {boxes} mailboxes, realm"
            f" {'kept' if args.keep_realm else 'deleted'}",
            flush=True,
        )


async def main_stopping_cleanly() -> None:
    """SIGTERM cancels the run, so that it still stops its service and cleans up."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await main()


if __name__ == "__main__":
    asyncio.run(main_stopping_cleanly())
