"""Seeds incidents, and the problems they are grouped under (`incidents`), into the tickets
tables as the schema's owner.

Incident and problem numbers come from the service's own sequences, reserved as one block
each before loading, so incidents created through the API meanwhile take numbers after it.
Every row is created by `marker` ("seed"); `reset` deletes those rows only, never truncates.
On two cores PostgreSQL (text vectors, indexes, WAL, the standby) does most of the work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from servicedesk.kernel.settings import DatabaseSettings
from servicedesk.ops.seeding import loader
from servicedesk.ops.seeding.draws import SEED_USER
from servicedesk.ops.seeding.incidents import (
    GROUP,
    INCIDENT_COLUMNS,
    PROBLEM_COLUMNS,
    SPAN_S,
    IncidentPlan,
    incident_batch,
)
from servicedesk.ops.seeding.loader import Batch, Job
from servicedesk.ops.seeding.progress import SeedProgress, SilentProgress

INCIDENTS = "tickets.incidents"
PROBLEMS = "tickets.problems"


def owner_dsn() -> str:
    """The tickets schema's owner: it may reserve sequence blocks and rebuild indexes."""
    return DatabaseSettings.local("tickets_owner").primary_dsn()


async def no_incidents() -> bool:
    return await loader.is_empty(owner_dsn(), INCIDENTS)


@dataclass(frozen=True, slots=True)
class IncidentRows:
    """Makes the batches of a run's jobs: the problems first, as the incidents refer to them."""

    plan: IncidentPlan

    def batches(self, job: Job) -> list[Batch]:
        problems, incidents = incident_batch(self.plan, job[1], job[2])
        return [
            Batch(PROBLEMS, PROBLEM_COLUMNS, problems),
            Batch(INCIDENTS, INCIDENT_COLUMNS, incidents),
        ]


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


async def _plan(connection: asyncpg.Connection, count: int, seed: int, marker: str) -> IncidentPlan:
    """Reserves the numbers of `count` incidents and of their problems, and plans them."""
    now = time.time()
    first = first_problem = 0
    if count:
        first = await reserve_numbers(connection, "incident_numbers", count)
        first_problem = await reserve_numbers(connection, "problem_numbers", -(-count // GROUP))
    return IncidentPlan(f"{seed}/{first}", count, first, first_problem, now - SPAN_S, now, marker)


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
    slow meanwhile; and with the indexes kept up to date the load is about as fast).
    """
    dsn = dsn or owner_dsn()
    progress = progress or SilentProgress()
    workers = loader.auto_workers(count) if workers is None else workers
    jobs = loader.jobs("incidents", count, max(GROUP, batch_size // GROUP * GROUP))
    started = time.perf_counter()
    async with loader.connected(dsn) as connection:
        progress.stage("deleting seeded rows" if reset else "preparing")
        deleted = await delete_seeded(connection, marker) if reset else None
        plan = await _plan(connection, count, seed, marker)
        totals = {INCIDENTS: plan.count, PROBLEMS: plan.problems}
        rebuild = (INCIDENTS,) if rebuild_indexes else ()
        load = loader.BulkLoad(dsn, IncidentRows(plan), jobs, totals, workers, rebuild)
        loaded = await loader.bulk_load(connection, load, progress)
        statement = f"analyze {INCIDENTS}, {PROBLEMS}"
        analyze_seconds = await loader.analyze(connection, statement, progress)
    return IncidentSeedReport(
        count,
        plan.problems,
        loader.id_range(plan.first_number, count),
        loader.id_range(plan.first_problem_number, plan.problems),
        deleted,
        workers,
        loaded.seconds,
        loaded.index_seconds,
        analyze_seconds,
        time.perf_counter() - started,
    )
