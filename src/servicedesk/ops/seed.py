"""Loads fake clients and orders with COPY: a few hundred for a demo, millions for a benchmark.

Rows are generated batch by batch and never held all at once. Large runs spread the batches
over loader processes, each with its own connection, so that generating rows (Python) and
taking them in (PostgreSQL) use every core. Each batch commits on its own: a failed run
leaves part of the data, and `reset` starts over.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import queue
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

import asyncpg

from servicedesk.ops.catalogue import DATABASE
from servicedesk.ops.fake_data import (
    CLIENT_COLUMNS,
    KNOWN_CLIENT_COLUMNS,
    ORDER_COLUMNS,
    ClientSpace,
    OrderPlan,
    client_rows,
    order_rows,
    self_check,
)
from servicedesk.ops.progress import SeedProgress, SilentProgress
from servicedesk.ops.provision import admin_dsn

SPAN_S = 3 * 365 * 86_400  # clients and orders are spread over the last three years
INLINE_LIMIT = 50_000  # fewer rows than this load in-process: starting loaders costs more
REBUILD_LIMIT = 100_000  # a reset loading more rows than this rebuilds the indexes after
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
Job = tuple[str, int, int]  # ("clients" | "orders", first index, stop index)


@dataclass(frozen=True, slots=True)
class SeedTarget:
    """Where to load: the real schemas by default; tests point it at scratch copies."""

    dsn: str = field(default_factory=lambda: admin_dsn(DATABASE))
    clients_schema: str = "clients"
    orders_schema: str = "orders"

    def __post_init__(self) -> None:
        for schema in (self.clients_schema, self.orders_schema):
            if not _IDENTIFIER.match(schema):
                raise ValueError(f"not a plain schema name: {schema!r}")

    def sql(self, template: str, **names: str) -> str:
        """Fills in the table names, which come from checked schema names."""
        return template.format(
            clients=self.clients,
            known_clients=self.known_clients,
            orders=self.orders,
            sequence=self.number_sequence,
            **names,
        )

    @property
    def clients(self) -> str:
        return f"{self.clients_schema}.clients"

    @property
    def known_clients(self) -> str:
        return f"{self.orders_schema}.known_clients"

    @property
    def orders(self) -> str:
        return f"{self.orders_schema}.orders"

    @property
    def number_sequence(self) -> str:
        return f"{self.orders_schema}.order_number_seq"


@dataclass(frozen=True, slots=True)
class TableLoad:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class SeedReport:
    tables: tuple[TableLoad, ...]
    seconds: float
    numbers: tuple[int, int] | None  # first and last order number used
    workers: int
    index_seconds: float | None  # rebuilding the secondary indexes, when they were dropped
    analyze_seconds: float


@dataclass(frozen=True, slots=True)
class _Work:
    """Everything a loader needs to turn a job into rows; pickled to loader processes."""

    target: SeedTarget
    space: ClientSpace
    plan: OrderPlan
    client_external_base: int


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


# --- one batch -------------------------------------------------------------------------


async def _copy(
    connection: asyncpg.Connection, qualified: str, columns: Sequence[str], rows: Any
) -> None:
    schema, table = qualified.split(".")
    await connection.copy_records_to_table(
        table, schema_name=schema, columns=list(columns), records=rows
    )


async def _load_job(connection: asyncpg.Connection, work: _Work, job: Job) -> list[tuple[str, int]]:
    kind, start, stop = job
    target = work.target
    if kind == "clients":
        clients, known = client_rows(
            work.space, start, stop, work.client_external_base, work.plan.now_ts
        )
        await _copy(connection, target.clients, CLIENT_COLUMNS, clients)
        await _copy(connection, target.known_clients, KNOWN_CLIENT_COLUMNS, known)
        return [(target.clients, len(clients)), (target.known_clients, len(known))]
    orders = order_rows(work.space, work.plan, start, stop)
    await _copy(connection, target.orders, ORDER_COLUMNS, orders)
    return [(target.orders, len(orders))]


def _jobs(clients: int, orders: int, batch_size: int, orders_first: bool) -> list[Job]:
    """Clients first, so that orders mostly find theirs; orders first when the indexes are
    rebuilt, so that their long trigram index builds while the clients load."""
    client_jobs = [
        ("clients", s, min(s + batch_size, clients)) for s in range(0, clients, batch_size)
    ]
    order_jobs = [("orders", s, min(s + batch_size, orders)) for s in range(0, orders, batch_size)]
    return order_jobs + client_jobs if orders_first else client_jobs + order_jobs


# --- loading in-process or in loader processes -------------------------------------------


async def _load_inline(
    work: _Work, jobs: Sequence[Job], record: Callable[[str, int], None]
) -> None:
    connection = await asyncpg.connect(work.target.dsn)
    try:
        for job in jobs:
            for table, rows in await _load_job(connection, work, job):
                record(table, rows)
    finally:
        await connection.close()


async def _loader(
    work: _Work, jobs: Queue[Job | None], events: Queue[tuple[str, str, int]]
) -> None:
    connection = await asyncpg.connect(work.target.dsn)
    try:
        while (job := jobs.get()) is not None:
            for table, rows in await _load_job(connection, work, job):
                events.put(("rows", table, rows))
    finally:
        await connection.close()


def _loader_process(
    work: _Work, jobs: Queue[Job | None], events: Queue[tuple[str, str, int]]
) -> None:
    """Entry point of a loader process: reports rows, then "done" or "failed"."""
    try:
        asyncio.run(_loader(work, jobs, events))
    except BaseException as error:  # reported to the parent, which raises it
        events.put(("failed", f"{type(error).__name__}: {error}", 0))
        raise SystemExit(1) from error
    events.put(("done", "", 0))


async def _drain(
    events: Queue[tuple[str, str, int]],
    loaders: Sequence[BaseProcess],
    record: Callable[[str, int], None],
) -> None:
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


async def _load_in_processes(
    work: _Work, jobs: Sequence[Job], workers: int, record: Callable[[str, int], None]
) -> None:
    context = multiprocessing.get_context("spawn")  # no fork of a running event loop
    job_queue: Queue[Job | None] = context.Queue()
    events: Queue[tuple[str, str, int]] = context.Queue()
    for job in [*jobs, *[None] * workers]:
        job_queue.put(job)
    loaders = [
        context.Process(target=_loader_process, args=(work, job_queue, events), daemon=True)
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


# --- secondary indexes ------------------------------------------------------------------

_SECONDARY_INDEXES = """
select i.relname, pg_get_indexdef(x.indexrelid)
from pg_index x join pg_class i on i.oid = x.indexrelid
where x.indrelid = to_regclass($1) and not x.indisunique
order by i.relname
"""


async def _drop_secondary_indexes(connection: asyncpg.Connection, table: str) -> list[str]:
    """Drops the non-unique indexes of `table`; returns the statements that re-create them."""
    definitions: list[str] = []
    for name, definition in await connection.fetch(_SECONDARY_INDEXES, table):
        await connection.execute(f'drop index "{table.split(".")[0]}"."{name}"')
        definitions.append(definition)
    return sorted(definitions, key=lambda d: " using gin " not in d.lower())  # longest first


class _IndexRebuild:
    """Drops the non-unique indexes before a big load and re-creates those of a table as soon
    as it is fully loaded, while the other tables still load. Building them once is much
    faster than keeping them up to date row by row, the trigram ones above all."""

    def __init__(self, dsn: str, parallel: int) -> None:
        self._dsn = dsn
        self._slots = asyncio.Semaphore(max(1, parallel))
        self._pending: dict[str, list[str]] = {}
        self._builds: list[asyncio.Task[None]] = []
        self._started: float | None = None

    async def drop(self, connection: asyncpg.Connection, tables: Iterable[str]) -> None:
        for table in tables:
            self._pending[table] = await _drop_secondary_indexes(connection, table)

    def table_loaded(self, table: str) -> None:
        definitions = self._pending.pop(table, [])
        if definitions and self._started is None:
            self._started = time.perf_counter()
        self._builds += [asyncio.create_task(self._create(d)) for d in definitions]

    async def finish(self) -> float | None:
        """Re-creates what is left (after a failed load too); returns the seconds spent."""
        for table in list(self._pending):
            self.table_loaded(table)
        await asyncio.gather(*self._builds)
        return None if self._started is None else time.perf_counter() - self._started

    async def _create(self, definition: str) -> None:
        async with self._slots:
            connection = await asyncpg.connect(self._dsn)
            try:
                await connection.execute("set maintenance_work_mem = '1GB'")
                await connection.execute(definition)
            finally:
                await connection.close()


# --- the state before a run --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Start:
    fresh: bool  # nothing loaded yet: the run is reproducible from its seed
    first_number: int
    client_external_base: int
    order_external_base: int


_MAX_EXTERNAL = (
    "select coalesce(max(substr(external_id, length($1) + 1)::bigint), 0) from {table}"
    " where external_id like $1 || '%' and substr(external_id, length($1) + 1) ~ '^[0-9]{{1,15}}$'"
)


async def _max_external(
    connection: asyncpg.Connection, target: SeedTarget, table: str, prefix: str
) -> int:
    """The highest number of the seed's external ids (L-…, LO-…) already in `table`."""
    return int(await connection.fetchval(target.sql(_MAX_EXTERNAL, table=table), prefix))


async def _prepare(connection: asyncpg.Connection, target: SeedTarget, reset: bool) -> _Start:
    """Empties the tables for a reset; otherwise finds where numbering carries on."""
    if reset:
        await connection.execute(target.sql("truncate {clients}, {known_clients}, {orders}"))
        await connection.execute(target.sql("select setval('{sequence}', 1, false)"))
    last, called = await connection.fetchrow(
        target.sql("select last_value, is_called from {sequence}")
    )
    empty = not await connection.fetchval(
        target.sql("select exists (select from {clients}) or exists (select from {orders})")
    )
    return _Start(
        fresh=empty,
        first_number=(last if called else last - 1) + 1,
        client_external_base=max(
            await _max_external(connection, target, target.clients, "L-"), 100_000
        )
        + 1,
        order_external_base=max(
            await _max_external(connection, target, target.orders, "LO-"), 100_000
        )
        + 1,
    )


def _run_key(seed: int, fresh: bool) -> bytes:
    """The same seed gives the same data on empty tables; appends get fresh ids."""
    label = f"servicedesk-seed/{seed}" + ("" if fresh else f"/{secrets.token_hex(8)}")
    return hashlib.blake2b(label.encode(), digest_size=16).digest()


def _work(target: SeedTarget, start: _Start, clients: int, orders: int, seed: int) -> _Work:
    now = int(time.time())
    key = _run_key(seed, start.fresh)
    space = ClientSpace(key, clients, now - SPAN_S, SPAN_S)
    plan = OrderPlan(key, orders, start.first_number, start.order_external_base, now)
    return _Work(target, space, plan, start.client_external_base)


# --- the run --------------------------------------------------------------------------------


def _auto_workers(rows: int) -> int:
    return 0 if rows < INLINE_LIMIT else max(2, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True, slots=True)
class _Request:
    clients: int
    orders: int
    reset: bool
    batch_size: int
    seed: int
    workers: int
    rebuild: bool
    target: SeedTarget

    @property
    def totals(self) -> dict[str, int]:
        """Rows to load per table, the tables named as in the target."""
        target = self.target
        return {
            target.clients: self.clients,
            target.known_clients: self.clients,
            target.orders: self.orders,
        }


async def _begin(
    connection: asyncpg.Connection, request: _Request
) -> tuple[_Work, tuple[int, int] | None]:
    """Prepares the tables; reserves the order numbers now, in case the orders service runs."""
    target = request.target
    start = await _prepare(connection, target, request.reset)
    numbers = None
    if request.orders:
        numbers = (start.first_number, start.first_number + request.orders - 1)
        await connection.execute(target.sql("select setval('{sequence}', $1)"), numbers[1])
    return _work(target, start, request.clients, request.orders, request.seed), numbers


async def _load_all(
    connection: asyncpg.Connection, request: _Request, work: _Work, progress: SeedProgress
) -> tuple[_Tally, float | None]:
    """Loads every batch; returns the tally and the seconds spent re-creating indexes."""
    totals = request.totals
    rebuild = _IndexRebuild(request.target.dsn, os.cpu_count() or 1)
    if request.rebuild:
        await rebuild.drop(connection, totals)
    tally = _Tally(time.perf_counter())

    def record(table: str, rows: int) -> None:
        tally.add(table, rows)
        progress.advance(table, rows)
        if tally.rows[table] == totals[table]:
            rebuild.table_loaded(table)

    for table, total in totals.items():
        progress.table(table, total)
    progress.stage("loading")
    jobs = _jobs(request.clients, request.orders, request.batch_size, request.rebuild)
    try:
        if request.workers:
            await _load_in_processes(work, jobs, request.workers, record)
        else:
            await _load_inline(work, jobs, record)
    finally:
        progress.stage("building indexes" if request.rebuild else "finishing")
        index_seconds = await rebuild.finish()
    return tally, index_seconds


async def _finish(
    connection: asyncpg.Connection, target: SeedTarget, numbers: tuple[int, int] | None
) -> float:
    """Keeps the order numbering past this run's orders, then analyzes; returns its seconds."""
    if numbers:
        await connection.execute(
            target.sql(
                "select setval('{sequence}', greatest($1, (select last_value from {sequence})))"
            ),
            numbers[1],
        )
    started = time.perf_counter()
    await connection.execute(target.sql("analyze {clients}, {known_clients}, {orders}"))
    return time.perf_counter() - started


async def seed(
    clients: int,
    orders: int,
    *,
    reset: bool,
    batch_size: int = 20_000,
    seed: int = 42,
    progress: SeedProgress | None = None,
    target: SeedTarget | None = None,
    workers: int | None = None,
    rebuild_indexes: bool | None = None,
) -> SeedReport:
    """Loads `clients` clients (and their known_clients rows) and `orders` orders.

    `workers` loader processes (0: in this process; default: by size and cores);
    `rebuild_indexes` drops the non-unique indexes for the load (default: big resets).
    """
    if orders and not clients:
        raise ValueError("orders need clients to belong to")
    self_check()
    if rebuild_indexes is None:
        rebuild_indexes = reset and clients + orders > REBUILD_LIMIT
    workers = _auto_workers(clients + orders) if workers is None else workers
    request = _Request(
        clients, orders, reset, batch_size, seed, workers, rebuild_indexes, target or SeedTarget()
    )
    progress = progress or SilentProgress()
    started = time.perf_counter()
    connection = await asyncpg.connect(request.target.dsn)
    try:
        progress.stage("preparing")
        work, numbers = await _begin(connection, request)
        tally, index_seconds = await _load_all(connection, request, work, progress)
        progress.stage("analyzing")
        analyze_seconds = await _finish(connection, request.target, numbers)
        progress.stage("done")
    finally:
        await connection.close()
    loads = tally.loads(request.totals)
    elapsed = time.perf_counter() - started
    return SeedReport(loads, elapsed, numbers, workers, index_seconds, analyze_seconds)


async def seed_demo_if_empty(
    clients: int = 200, orders: int = 600, *, target: SeedTarget | None = None
) -> bool:
    """Seeds a small demo set when there are no clients yet; returns whether it did."""
    target = target or SeedTarget()
    connection = await asyncpg.connect(target.dsn)
    try:
        if await connection.fetchval(target.sql("select exists (select from {clients})")):
            return False
    finally:
        await connection.close()
    await seed(clients, orders, reset=False, target=target)
    return True
