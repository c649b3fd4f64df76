"""Loads fake incidents, and the problems they are grouped under, with COPY.

Incidents are spread over the last two years in time order, about 70% Russian, each group of
`GROUP` consecutive ones on one topic under one problem. Old groups are mostly closed, recent
incidents mostly new or in progress; SLA times, breaches and priorities follow the policy.
Incident and problem numbers come from the service's own sequences, reserved as one block
each before loading, so incidents created through the API meanwhile take numbers after it.

Every row is created by `marker` ("seed"); `reset` deletes those rows only, never truncates.
Large runs spread the batches over loader processes, each with its own connection: on two
cores PostgreSQL (text vectors, indexes, WAL, the standby) does most of the work.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

import asyncpg

from servicedesk.kernel.settings import DatabaseSettings
from servicedesk.ops.fake_data import SEED_USER, seeded, transliterate
from servicedesk.ops.fake_incidents import (
    ENGLISH,
    RUSSIAN,
    Language,
    Topic,
    incident_text,
    person,
    resolution,
)
from servicedesk.ops.fake_words import weighted, words
from servicedesk.ops.progress import SeedProgress, SilentProgress
from servicedesk.ops.seed import _copy, _drain, _drop_secondary_indexes

INCIDENTS = "tickets.incidents"
PROBLEMS = "tickets.problems"
SPAN_S = 2 * 365 * 86_400  # incidents are spread over the last two years
GROUP = 20  # consecutive incidents under one problem
INLINE_LIMIT = 50_000  # fewer incidents than this load in-process
DAY = 86_400

PRIORITY_MATRIX = {  # as in tickets/config/policy.yaml: matrix[impact][urgency]
    "high": {"high": "critical", "medium": "high", "low": "medium"},
    "medium": {"high": "high", "medium": "medium", "low": "low"},
    "low": {"high": "medium", "medium": "low", "low": "low"},
}
PRIORITY_RANK = {"critical": 1, "high": 2, "medium": 3, "low": 4}
SLA_S = {  # (response, resolution) targets in seconds, as in the policy (calendar time here)
    "critical": (15 * 60, 4 * 3600),
    "high": (3600, 8 * 3600),
    "medium": (4 * 3600, 3 * DAY),
    "low": (DAY, 10 * DAY),
}
INCIDENT_STATUSES = ("new", "in_progress", "waiting_for_reporter", "resolved", "closed")
CHANNELS = weighted("web:35 email:25 telegram:15 api:10 esb:8 sms:7")
ASSIGNEES = weighted("agent1:42 agent2:42 supervisor1:16")
_IMPACTS = weighted("low:50 medium:35 high:15")
_URGENCIES = weighted("low:35 medium:45 high:20")
# chance that a group's problem is closed, by the age of its newest incident in days
_PROBLEM_CLOSED = ((1, 0.0), (7, 0.15), (30, 0.55), (math.inf, 0.95))
# status of an incident whose problem is open, by its age in days
_OPEN_STATUS = (
    (1, weighted("new:55 in_progress:35 waiting_for_reporter:5 resolved:5")),
    (7, weighted("new:18 in_progress:40 waiting_for_reporter:12 resolved:30")),
    (30, weighted("new:8 in_progress:25 waiting_for_reporter:12 resolved:55")),
    (math.inf, weighted("new:1 in_progress:8 waiting_for_reporter:5 resolved:86")),
)
_MAIL_DOMAINS = weighted("mail.ru:4 yandex.ru:4 gmail.com:3 bk.ru:1 outlook.com:1 list.ru:1")
_WORK_DOMAINS = (
    "romashka.ru",
    "vector-trade.ru",
    "sibsnab.ru",
    "uralkabel.com",
    "neva-logistic.ru",
)

INCIDENT_COLUMNS = words("""
id number title description category impact urgency priority priority_rank status
status_changed_at channel reporter_name reporter_email reporter_phone
reporter_telegram_id assignee_id assignee_username problem_id resolution response_due_at
resolution_due_at responded_at resolved_at sla_paused_at response_breached_at
resolution_breached_at version created_at created_by updated_at updated_by
""")
PROBLEM_COLUMNS = words("""
id number title description category priority priority_rank status status_changed_at
assignee_id assignee_username resolution closed_at version created_at created_by
updated_at updated_by
""")
Row = tuple[Any, ...]
T = TypeVar("T")


def owner_dsn() -> str:
    """The tickets schema's owner: it may reserve sequence blocks and rebuild indexes."""
    return DatabaseSettings.local("tickets_owner").primary_dsn()


# --- rows --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentPlan:
    """The incidents of one run: incident `i` is number `first_number + i`, created at about
    `start_ts + i * span / count`; pickled to the loader processes."""

    key: str
    count: int
    first_number: int
    first_problem_number: int
    start_ts: float
    now_ts: float
    marker: str = SEED_USER

    @property
    def problems(self) -> int:
        return -(-self.count // GROUP)


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def _by_age(table: Sequence[tuple[float, Any]], age_s: float) -> Any:
    return next(value for days, value in table if age_s <= days * DAY)


def _english_topics() -> dict[str, tuple[Topic, ...]]:
    """For each Russian topic, the English ones a group on it may use: the same, or any of
    its category."""
    mapping: dict[str, tuple[Topic, ...]] = {}
    for topic in RUSSIAN.topics:
        same = tuple(t for t in ENGLISH.topics if t.name == topic.name)
        mapping[topic.name] = same or tuple(
            t for t in ENGLISH.topics if t.category == topic.category
        )
    return mapping


_ENGLISH_TOPICS = _english_topics()


def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _contact(
    rng: random.Random, name: str, russian: bool, channel: str
) -> tuple[str | None, str | None, int | None]:
    """(e-mail, phone, Telegram id) of a reporter, as much as the channel tells."""
    roll = rng.random()
    email = None
    if channel == "email" or (channel == "web" and roll < 0.6) or roll < 0.1:
        first, _, last = transliterate(name).partition("-")
        domain = _pick(rng, _MAIL_DOMAINS if roll < 0.5 else _WORK_DOMAINS)
        email = f"{first}.{last}@{domain}"
    phone = None
    if channel in ("sms", "telegram") or roll > (0.6 if channel in ("web", "email") else 0.8):
        number = int(rng.random() * 10**9)
        phone = f"+79{number:09d}" if russian else f"+447{number:09d}"
    telegram = 100_000_000 + int(rng.random() * 6_000_000_000) if channel == "telegram" else None
    return email, phone, telegram


@dataclass(slots=True)
class _Clock:
    """The SLA times of one incident."""

    changed: float
    responded: float | None = None
    resolved: float | None = None
    paused: float | None = None


def _clock(rng: random.Random, status: str, created: float, priority: str, until: float) -> _Clock:
    """Times up to `until`: now, or when the incident's problem was closed."""
    response_s, resolution_s = SLA_S[priority]
    clock = _Clock(changed=created)
    if status == "new":
        return clock
    # mostly within target; about one in eight late
    responded = created + 30 + response_s * 1.3 * rng.random() ** 2
    if responded > until:
        responded = created + (until - created) * rng.random()
    clock.responded = clock.changed = responded
    if status in ("resolved", "closed"):
        resolved = responded + 60 + resolution_s * 1.4 * rng.random() ** 2
        if resolved > until:
            resolved = responded + (until - responded) * rng.random()
        clock.resolved = clock.changed = resolved
    elif status == "waiting_for_reporter":
        clock.paused = clock.changed = responded + (until - responded) * rng.random()
    if status == "closed":
        clock.changed = until
    return clock


def _optional_ts(value: float | None) -> datetime | None:
    return None if value is None else _ts(value)


_VERSIONS = {"new": 1, "in_progress": 2, "waiting_for_reporter": 3, "resolved": 3, "closed": 4}


class _Incident(NamedTuple):
    row: Row
    russian: bool
    priority: str


def _incident(
    rng: random.Random,
    plan: IncidentPlan,
    index: int,
    created: float,
    topic: Topic,
    problem: tuple[UUID, float | None],
) -> _Incident:
    """Incident `index`, under `problem` (its id, and when it was closed or None)."""
    problem_id, closed_at = problem
    russian = rng.random() < 0.7
    language: Language = RUSSIAN
    if not russian:
        language = ENGLISH
        topic = _pick(rng, _ENGLISH_TOPICS[topic.name])
    channel = _pick(rng, CHANNELS)
    name = person(rng, russian)
    short = channel in ("sms", "telegram") or (channel in ("api", "esb") and rng.random() < 0.5)
    title, description = incident_text(rng, language, topic, name, short)
    impact, urgency = _pick(rng, _IMPACTS), _pick(rng, _URGENCIES)
    priority = PRIORITY_MATRIX[impact][urgency]
    status = "closed"
    if closed_at is None:
        status = _pick(rng, _by_age(_OPEN_STATUS, plan.now_ts - created))
    clock = _clock(rng, status, created, priority, closed_at or plan.now_ts)
    response_s, resolution_s = SLA_S[priority]
    response_due, resolution_due = created + response_s, created + resolution_s
    response_end = plan.now_ts if clock.responded is None else clock.responded
    resolution_end = clock.resolved or clock.paused or plan.now_ts
    assignee = _pick(rng, ASSIGNEES) if status != "new" or rng.random() < 0.2 else None
    email, phone, telegram = _contact(rng, name, russian, channel)
    changed = _ts(clock.changed)
    row = (
        UUID(int=rng.getrandbits(128), version=4),
        plan.first_number + index,
        title[:200],
        description,
        topic.category,
        impact,
        urgency,
        priority,
        PRIORITY_RANK[priority],
        status,
        changed,
        channel,
        name,
        email,
        phone,
        telegram,
        assignee,
        assignee,
        problem_id,
        resolution(rng, language) if status in ("resolved", "closed") else None,
        _ts(response_due),
        _ts(resolution_due),
        _optional_ts(clock.responded),
        _optional_ts(clock.resolved),
        _optional_ts(clock.paused),
        _ts(response_due) if response_end > response_due else None,
        _ts(resolution_due) if resolution_end > resolution_due else None,
        _VERSIONS[status] + (status != "new" and rng.random() < 0.4),
        _ts(created),
        plan.marker,
        changed,
        plan.marker,
    )
    return _Incident(row, russian, priority)


def _group(
    rng: random.Random, plan: IncidentPlan, group: int, step: float
) -> tuple[Row, list[Row]]:
    """Problem `group` and its incidents, all on one topic."""
    first = group * GROUP
    indexes = range(first, min(first + GROUP, plan.count))
    created = [plan.start_ts + (i + rng.random()) * step for i in indexes]
    closed_at = None
    if rng.random() < _by_age(_PROBLEM_CLOSED, plan.now_ts - created[-1]):
        closed_at = min(created[-1] + 3600 + rng.random() * 3 * DAY, plan.now_ts)
    topic = RUSSIAN.topic(rng)
    problem_id = UUID(int=rng.getrandbits(128), version=4)
    incidents = [
        _incident(rng, plan, index, ts, topic, (problem_id, closed_at))
        for index, ts in zip(indexes, created, strict=True)
    ]
    priority = min((i.priority for i in incidents), key=PRIORITY_RANK.__getitem__)
    lead = next((i for i in incidents if i.russian), incidents[0])
    label = "Повторяющиеся обращения" if lead.russian else "Recurring requests"
    assignee = (
        "supervisor1" if closed_at else next((i.row[17] for i in incidents if i.row[17]), None)
    )
    start = _ts(created[0])
    end = _ts(closed_at) if closed_at else _ts(created[-1])
    count = len(incidents)
    problem = (
        problem_id,
        plan.first_problem_number + group,
        f"{label}: {lead.row[2]}"[:200],
        f"{count} обращений с одной причиной. {count} requests with one cause.",
        topic.category,
        priority,
        PRIORITY_RANK[priority],
        "closed" if closed_at else "open",
        end if closed_at else start,
        assignee,
        assignee,
        resolution(rng, RUSSIAN) if closed_at else None,
        end if closed_at else None,
        3 if closed_at else 1,
        start,
        plan.marker,
        end,
        plan.marker,
    )
    return problem, [i.row for i in incidents]


def incident_batch(plan: IncidentPlan, start: int, stop: int) -> tuple[list[Row], list[Row]]:
    """(problems, incidents) for incidents `start`..`stop-1`; `start` is a multiple of GROUP."""
    if start % GROUP or (stop % GROUP and stop != plan.count):
        raise ValueError("a batch starts and ends at group boundaries")
    rng = seeded(f"{plan.key}/incidents/{start}")
    step = (plan.now_ts - 60 - plan.start_ts) / plan.count
    problems: list[Row] = []
    incidents: list[Row] = []
    for group in range(start // GROUP, -(-stop // GROUP)):
        problem, rows = _group(rng, plan, group, step)
        problems.append(problem)
        incidents += rows
    return problems, incidents


# --- numbers and reset --------------------------------------------------------------------


async def reserve_numbers(connection: asyncpg.Connection, sequence: str, count: int) -> int:
    """Takes `count` consecutive numbers of the tickets sequence `sequence` (stepping by 1);
    returns the first.

    ALTER SEQUENCE holds a lock that nextval() waits for until the transaction ends, so an
    incident created meanwhile through the API gets a number after the block, never in it.
    """
    if sequence not in ("incident_numbers", "problem_numbers"):
        raise ValueError(f"not a tickets sequence: {sequence}")
    async with connection.transaction():
        await connection.execute(f"alter sequence tickets.{sequence} increment by 1")
        last = await connection.fetchval(
            "select last_value from pg_sequences"  # null until the first nextval
            " where schemaname = 'tickets' and sequencename = $1",
            sequence,
        )
        first = 1 if last is None else last + 1
        await connection.execute(
            "select setval($1::regclass, $2)", f"tickets.{sequence}", first + count - 1
        )
    return int(first)


@dataclass(frozen=True, slots=True)
class Deleted:
    incidents: int
    problems: int
    kept: int  # seeded incidents kept: someone commented, attached or created them by key


_DELETE_INCIDENTS = """
with gone as (
    delete from tickets.incidents i
    where i.created_by = $1
      and not exists (select from tickets.comments c where c.incident_id = i.id)
      and not exists (select from tickets.attachments a where a.incident_id = i.id)
      and not exists (select from tickets.idempotency_keys k where k.incident_id = i.id)
    returning 1
)
select count(*) from gone
"""
_DELETE_PROBLEMS = """
with gone as (
    delete from tickets.problems p
    where p.created_by = $1
      and not exists (select from tickets.incidents i where i.problem_id = p.id)
    returning 1
)
select count(*) from gone
"""


async def delete_seeded(connection: asyncpg.Connection, marker: str = SEED_USER) -> Deleted:
    """Deletes the incidents and problems created by `marker`, except those that other rows
    still refer to (a comment on a seeded incident, a new incident joined to a seeded problem)."""
    async with connection.transaction():
        incidents = await connection.fetchval(_DELETE_INCIDENTS, marker)
        problems = await connection.fetchval(_DELETE_PROBLEMS, marker)
        kept = await connection.fetchval(
            "select count(*) from tickets.incidents where created_by = $1", marker
        )
    return Deleted(incidents, problems, kept)


# --- loading ------------------------------------------------------------------------------

Job = tuple[int, int]  # incidents start..stop
Event = tuple[str, str, int]  # ("rows", table, count) | ("done", "", 0) | ("failed", text, 0)


async def _load_jobs(
    dsn: str, plan: IncidentPlan, jobs: Callable[[], Job | None], record: Callable[[str, int], None]
) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        while (job := jobs()) is not None:
            problems, incidents = incident_batch(plan, *job)
            await _copy(connection, PROBLEMS, PROBLEM_COLUMNS, problems)  # first: incidents refer
            record(PROBLEMS, len(problems))
            await _copy(connection, INCIDENTS, INCIDENT_COLUMNS, incidents)
            record(INCIDENTS, len(incidents))
    finally:
        await connection.close()


def _loader_process(
    dsn: str, plan: IncidentPlan, jobs: Queue[Job | None], events: Queue[Event]
) -> None:
    """Entry point of a loader process: reports rows, then "done" or "failed"."""
    try:
        asyncio.run(
            _load_jobs(dsn, plan, jobs.get, lambda table, rows: events.put(("rows", table, rows)))
        )
    except BaseException as error:  # reported to the parent, which raises it
        events.put(("failed", f"{type(error).__name__}: {error}", 0))
        raise SystemExit(1) from error
    events.put(("done", "", 0))


async def _load(
    dsn: str,
    plan: IncidentPlan,
    jobs: Sequence[Job],
    workers: int,
    record: Callable[[str, int], None],
) -> None:
    if not workers:
        pending = iter(jobs)
        await _load_jobs(dsn, plan, lambda: next(pending, None), record)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a running event loop
    job_queue: Queue[Job | None] = context.Queue()
    events: Queue[Event] = context.Queue()
    for job in [*jobs, *[None] * workers]:
        job_queue.put(job)
    loaders = [
        context.Process(target=_loader_process, args=(dsn, plan, job_queue, events), daemon=True)
        for _ in range(workers)
    ]
    for loader in loaders:
        loader.start()
    try:
        await _drain(events, loaders, record)
    except BaseException:
        for loader in loaders:
            loader.terminate()
        raise
    finally:
        for loader in loaders:
            loader.join()


# --- secondary indexes --------------------------------------------------------------------


async def _create_indexes(dsn: str, definitions: Sequence[str], parallel: int) -> None:
    """The text index (the longest, one process builds it) beside the b-trees, which share
    the other connections."""
    gin = [d for d in definitions if " using gin " in d.lower()]
    btrees = [d for d in definitions if d not in gin]
    others = max(1, parallel - 1)
    lanes = [gin, *(btrees[i::others] for i in range(others))]

    async def build(lane: Sequence[str]) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute("set maintenance_work_mem = '1GB'")
            for definition in lane:
                await connection.execute(definition)
        finally:
            await connection.close()

    await asyncio.gather(*(build(lane) for lane in lanes if lane))


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentSeedReport:
    incidents: int
    problems: int
    numbers: tuple[int, int] | None  # first and last incident number used
    problem_numbers: tuple[int, int] | None
    deleted: Deleted | None  # by --reset
    workers: int
    load_seconds: float
    index_seconds: float | None  # re-creating the secondary indexes, when they were dropped
    analyze_seconds: float
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.incidents / self.load_seconds if self.load_seconds else 0.0


def _auto_workers(count: int) -> int:
    return 0 if count < INLINE_LIMIT else max(2, min(os.cpu_count() or 1, 4))


async def _plan(connection: asyncpg.Connection, count: int, seed: int, marker: str) -> IncidentPlan:
    """Reserves the numbers of `count` incidents and of their problems, and plans them."""
    now = time.time()
    first = first_problem = 0
    if count:
        first = await reserve_numbers(connection, "incident_numbers", count)
        first_problem = await reserve_numbers(connection, "problem_numbers", -(-count // GROUP))
    return IncidentPlan(f"{seed}/{first}", count, first, first_problem, now - SPAN_S, now, marker)


async def _load_all(
    connection: asyncpg.Connection,
    dsn: str,
    plan: IncidentPlan,
    jobs: Sequence[Job],
    workers: int,
    rebuild_indexes: bool,
    progress: SeedProgress,
) -> tuple[float, float | None]:
    """Loads every batch; returns its seconds, and those of re-creating the indexes."""
    definitions = []
    if rebuild_indexes:
        definitions = await _drop_secondary_indexes(connection, INCIDENTS)
    progress.table(INCIDENTS, plan.count)
    progress.table(PROBLEMS, plan.problems)
    progress.stage("loading")
    started = time.perf_counter()
    try:
        await _load(dsn, plan, jobs, workers, progress.advance)
    finally:
        load_seconds = time.perf_counter() - started
        if definitions:  # after a failed load too
            progress.stage("building indexes")
            await _create_indexes(dsn, definitions, os.cpu_count() or 1)
    if not definitions:
        return load_seconds, None
    return load_seconds, time.perf_counter() - started - load_seconds


async def seed_incidents(
    count: int,
    *,
    reset: bool = False,
    batch_size: int = 10_000,
    seed: int = 42,
    progress: SeedProgress | None = None,
    dsn: str | None = None,
    marker: str = SEED_USER,
    workers: int | None = None,
    rebuild_indexes: bool = False,
) -> IncidentSeedReport:
    """Adds `count` incidents (and a problem per GROUP of them), created by `marker`.

    `reset` first deletes what `marker` created before; `workers` loader processes (0: in
    this process; default: by size and cores); `rebuild_indexes` drops the non-unique indexes
    of the incidents for the load and builds them after (the table is live: its queries are
    slow meanwhile; and with the indexes kept up to date the load is about as fast). Each
    batch commits on its own: a failed run leaves part of its rows, which `reset` deletes.
    """
    dsn = dsn or owner_dsn()
    progress = progress or SilentProgress()
    workers = _auto_workers(count) if workers is None else workers
    batch_size = max(GROUP, batch_size // GROUP * GROUP)
    jobs = [(s, min(s + batch_size, count)) for s in range(0, count, batch_size)]
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        progress.stage("deleting seeded rows" if reset else "preparing")
        deleted = await delete_seeded(connection, marker) if reset else None
        plan = await _plan(connection, count, seed, marker)
        load_seconds, index_seconds = await _load_all(
            connection, dsn, plan, jobs, workers, rebuild_indexes, progress
        )
        progress.stage("analyzing")
        analyze_started = time.perf_counter()
        await connection.execute("analyze tickets.incidents, tickets.problems")
        analyze_seconds = time.perf_counter() - analyze_started
        progress.stage("done")
    finally:
        await connection.close()
    return IncidentSeedReport(
        count,
        plan.problems,
        _span(plan.first_number, count),
        _span(plan.first_problem_number, plan.problems),
        deleted,
        workers,
        load_seconds,
        index_seconds,
        analyze_seconds,
        time.perf_counter() - started,
    )


def _span(first: int, count: int) -> tuple[int, int] | None:
    return (first, first + count - 1) if count else None
