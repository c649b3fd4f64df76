"""The one bulk loader of every seed: batches of generated rows COPYed into their tables.

A seed describes its load as jobs (what to make, from which index to which) and a `Source`
that turns a job into batches, in the order they must go in (a problem before the incidents
that refer to it). Rows are made batch by batch and never held all at once. Large loads
spread the jobs over loader processes, each with its own connection, so that making rows
(Python) and taking them in (PostgreSQL) use every core. A bar per table shows the rows in.
Each batch commits on its own: a failed run leaves part of its rows, which each seed's reset
(or its "only when empty") deals with.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any, NamedTuple, Protocol

import asyncpg

from servicedesk.ops.seeding.indexes import IndexRebuild
from servicedesk.ops.seeding.progress import SeedProgress

INLINE_LIMIT = 50_000  # fewer rows than this load in-process: starting loaders costs more
Job = tuple[str, int, int]  # (what to make, first index, stop index)
Event = tuple[str, str, int]  # ("rows", table, count) | ("done", "", 0) | ("failed", text, 0)
Record = Callable[[str, int], None]


class Batch(NamedTuple):
    table: str  # schema.table
    columns: Sequence[str]
    rows: Sequence[tuple[Any, ...]]


class Source(Protocol):
    """Makes the rows of a job; pickled to the loader processes."""

    def batches(self, job: Job) -> list[Batch]: ...


@dataclass(frozen=True, slots=True)
class BulkLoad:
    dsn: str
    source: Source
    jobs: Sequence[Job]
    totals: Mapping[str, int]  # rows per table, in the order their bars are shown
    workers: int = 0  # loader processes; 0: in this process
    rebuild: tuple[str, ...] = ()  # tables whose non-unique indexes are dropped for the load


@dataclass(frozen=True, slots=True)
class TableLoad:
    table: str
    rows: int
    seconds: float  # from the start of loading to its last batch

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Loaded:
    tables: tuple[TableLoad, ...]
    seconds: float  # loading, without rebuilding the indexes
    index_seconds: float | None  # rebuilding the secondary indexes, when they were dropped


def jobs(what: str, count: int, batch_size: int) -> list[Job]:
    return [(what, s, min(s + batch_size, count)) for s in range(0, count, batch_size)]


def id_range(first: int, count: int) -> tuple[int, int] | None:
    """The first and last of `count` numbers from `first`; None for none."""
    return (first, first + count - 1) if count else None


def auto_workers(rows: int) -> int:
    """Loader processes by size and cores: none for small loads."""
    return 0 if rows < INLINE_LIMIT else max(2, min(os.cpu_count() or 1, 4))


@asynccontextmanager
async def connected(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(dsn)
    try:
        yield connection
    finally:
        await connection.close()


async def is_empty(dsn: str, table: str) -> bool:
    """Whether `table` (a checked, qualified name) has no rows: a demo seeds only then."""
    async with connected(dsn) as connection:
        return not await connection.fetchval(f"select exists (select from {table})")  # noqa: S608


async def analyze(connection: asyncpg.Connection, statement: str, progress: SeedProgress) -> float:
    """Runs the closing ANALYZE (or VACUUM) of a seed; returns its seconds."""
    progress.stage("analyzing")
    started = time.perf_counter()
    await connection.execute(statement)
    progress.stage("done")
    return time.perf_counter() - started


@dataclass(slots=True)
class _Tally:
    """Rows loaded per table and when the last of them arrived."""

    started: float
    rows: dict[str, int] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)

    def add(self, table: str, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows
        self.finished[table] = time.perf_counter()

    def loads(self, tables: Iterable[str]) -> tuple[TableLoad, ...]:
        return tuple(
            TableLoad(t, self.rows.get(t, 0), self.finished.get(t, self.started) - self.started)
            for t in tables
        )


async def _load_jobs(
    dsn: str, source: Source, next_job: Callable[[], Job | None], record: Record
) -> None:
    async with connected(dsn) as connection:
        while (job := next_job()) is not None:
            for table, columns, rows in source.batches(job):
                schema, name = table.split(".")
                await connection.copy_records_to_table(
                    name, schema_name=schema, columns=list(columns), records=rows
                )
                record(table, len(rows))


def _loader_process(
    dsn: str, source: Source, jobs: Queue[Job | None], events: Queue[Event]
) -> None:
    """Entry point of a loader process: reports rows, then "done" or "failed"."""
    try:
        asyncio.run(
            _load_jobs(dsn, source, jobs.get, lambda table, n: events.put(("rows", table, n)))
        )
    except BaseException as error:  # reported to the parent, which raises it
        events.put(("failed", f"{type(error).__name__}: {error}", 0))
        raise SystemExit(1) from error
    events.put(("done", "", 0))


async def _drain(events: Queue[Event], loaders: Sequence[BaseProcess], record: Record) -> None:
    done = 0
    while done < len(loaders):
        try:
            kind, text, rows = await asyncio.to_thread(events.get, True, 0.5)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in loaders):
                raise RuntimeError("a loader process died") from None
            continue
        if kind == "failed":
            raise RuntimeError(f"loading failed: {text}")
        if kind == "done":
            done += 1
        else:
            record(text, rows)


async def _load_in_processes(load: BulkLoad, record: Record) -> None:
    context = multiprocessing.get_context("spawn")  # no fork of a running event loop
    job_queue: Queue[Job | None] = context.Queue()
    events: Queue[Event] = context.Queue()
    for job in [*load.jobs, *[None] * load.workers]:
        job_queue.put(job)
    loaders = [
        context.Process(
            target=_loader_process, args=(load.dsn, load.source, job_queue, events), daemon=True
        )
        for _ in range(load.workers)
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


async def _load(load: BulkLoad, record: Record) -> None:
    if load.workers:
        await _load_in_processes(load, record)
    else:
        pending = iter(load.jobs)
        await _load_jobs(load.dsn, load.source, lambda: next(pending, None), record)


async def bulk_load(
    connection: asyncpg.Connection, load: BulkLoad, progress: SeedProgress
) -> Loaded:
    """Loads every job with a bar per table; drops and rebuilds the indexes of `rebuild`."""
    rebuild = IndexRebuild(load.dsn, os.cpu_count() or 1)
    await rebuild.drop(connection, load.rebuild)
    tally = _Tally(time.perf_counter())

    def record(table: str, rows: int) -> None:
        tally.add(table, rows)
        progress.advance(table, rows)
        if tally.rows[table] == load.totals[table]:
            rebuild.table_loaded(table)

    for table, total in load.totals.items():
        progress.table(table, total)
    progress.stage("loading")
    try:
        await _load(load, record)
    finally:
        loaded = time.perf_counter()
        progress.stage("building indexes" if load.rebuild else "finishing")
        index_seconds = await rebuild.finish()
    return Loaded(tally.loads(load.totals), loaded - tally.started, index_seconds)
