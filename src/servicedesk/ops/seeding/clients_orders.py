"""Seeds our clients (with their rows in the orders' projection) and orders: a few hundred
for a demo, millions for a benchmark. `reset` empties the three tables first; otherwise the
rows are added, numbered after what is there."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field

import asyncpg

from servicedesk.ops.catalogue import DATABASE
from servicedesk.ops.provision import admin_dsn
from servicedesk.ops.seeding import loader
from servicedesk.ops.seeding.checks import self_check
from servicedesk.ops.seeding.clients import (
    CLIENT_COLUMNS,
    KNOWN_CLIENT_COLUMNS,
    ClientSpace,
    client_rows,
)
from servicedesk.ops.seeding.loader import Batch, Job, TableLoad
from servicedesk.ops.seeding.orders import ORDER_COLUMNS, OrderPlan, order_rows
from servicedesk.ops.seeding.progress import SeedProgress, SilentProgress

SPAN_S = 3 * 365 * 86_400  # clients and orders are spread over the last three years
REBUILD_LIMIT = 100_000  # a reset loading more rows than this rebuilds the indexes after
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


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
            sequence=f"{self.orders_schema}.order_number_seq",
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


@dataclass(frozen=True, slots=True)
class SeedReport:
    tables: tuple[TableLoad, ...]
    seconds: float
    numbers: tuple[int, int] | None  # first and last order number used
    workers: int
    index_seconds: float | None  # rebuilding the secondary indexes, when they were dropped
    analyze_seconds: float


@dataclass(frozen=True, slots=True)
class ClientsAndOrders:
    """Makes the batches of a run's jobs: ("clients" | "orders", start, stop)."""

    target: SeedTarget
    space: ClientSpace
    plan: OrderPlan
    client_external_base: int

    def batches(self, job: Job) -> list[Batch]:
        kind, start, stop = job
        target = self.target
        if kind == "orders":
            orders = order_rows(self.space, self.plan, start, stop)
            return [Batch(target.orders, ORDER_COLUMNS, orders)]
        base, now = self.client_external_base, self.plan.now_ts
        clients, known = client_rows(self.space, start, stop, base, now)
        return [
            Batch(target.clients, CLIENT_COLUMNS, clients),
            Batch(target.known_clients, KNOWN_CLIENT_COLUMNS, known),
        ]


_MAX_EXTERNAL = (
    "select coalesce(max(substr(external_id, length($1) + 1)::bigint), 0) from {table}"
    " where external_id like $1 || '%' and substr(external_id, length($1) + 1) ~ '^[0-9]{{1,15}}$'"
)


async def _external_base(
    connection: asyncpg.Connection, target: SeedTarget, table: str, prefix: str
) -> int:
    """After the highest number of the seed's external ids (L-…, LO-…) already in `table`."""
    found = await connection.fetchval(target.sql(_MAX_EXTERNAL, table=table), prefix)
    return max(int(found), 100_000) + 1


def _run_key(seed: int, fresh: bool) -> bytes:
    """The same seed gives the same data on empty tables; appends get fresh ids."""
    label = f"servicedesk-seed/{seed}" + ("" if fresh else f"/{secrets.token_hex(8)}")
    return hashlib.blake2b(label.encode(), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class _Request:
    clients: int
    orders: int
    reset: bool
    seed: int
    target: SeedTarget


async def _prepare(
    connection: asyncpg.Connection, request: _Request
) -> tuple[ClientsAndOrders, tuple[int, int] | None]:
    """Empties the tables for a reset, finds where numbering carries on and reserves the
    order numbers now, in case the orders service runs meanwhile."""
    target = request.target
    if request.reset:
        await connection.execute(target.sql("truncate {clients}, {known_clients}, {orders}"))
        await connection.execute(target.sql("select setval('{sequence}', 1, false)"))
    last, called = await connection.fetchrow(
        target.sql("select last_value, is_called from {sequence}")
    )
    fresh = not await connection.fetchval(
        target.sql("select exists (select from {clients}) or exists (select from {orders})")
    )
    first_number = (last if called else last - 1) + 1
    numbers = None
    if request.orders:
        numbers = (first_number, first_number + request.orders - 1)
        await connection.execute(target.sql("select setval('{sequence}', $1)"), numbers[1])
    now = int(time.time())
    key = _run_key(request.seed, fresh)
    order_base = await _external_base(connection, target, target.orders, "LO-")
    plan = OrderPlan(key, request.orders, first_number, order_base, now)
    space = ClientSpace(key, request.clients, now - SPAN_S, SPAN_S)
    client_base = await _external_base(connection, target, target.clients, "L-")
    return ClientsAndOrders(target, space, plan, client_base), numbers


async def _keep_numbering(
    connection: asyncpg.Connection, target: SeedTarget, numbers: tuple[int, int] | None
) -> None:
    """Keeps the order numbering past this run's orders."""
    if numbers:
        await connection.execute(
            target.sql(
                "select setval('{sequence}', greatest($1, (select last_value from {sequence})))"
            ),
            numbers[1],
        )


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
    workers = loader.auto_workers(clients + orders) if workers is None else workers
    request = _Request(clients, orders, reset, seed, target or SeedTarget())
    progress = progress or SilentProgress()
    target = request.target
    totals = {target.clients: clients, target.known_clients: clients, target.orders: orders}
    # clients first, so that orders mostly find theirs; orders first when the indexes are
    # rebuilt, so that their long trigram index builds while the clients load
    client_jobs = loader.jobs("clients", clients, batch_size)
    order_jobs = loader.jobs("orders", orders, batch_size)
    ordered = order_jobs + client_jobs if rebuild_indexes else client_jobs + order_jobs
    started = time.perf_counter()
    async with loader.connected(target.dsn) as connection:
        progress.stage("preparing")
        source, numbers = await _prepare(connection, request)
        rebuild = tuple(totals) if rebuild_indexes else ()
        load = loader.BulkLoad(target.dsn, source, ordered, totals, workers, rebuild)
        loaded = await loader.bulk_load(connection, load, progress)
        await _keep_numbering(connection, target, numbers)
        statement = target.sql("analyze {clients}, {known_clients}, {orders}")
        analyze_seconds = await loader.analyze(connection, statement, progress)
    elapsed = time.perf_counter() - started
    return SeedReport(
        loaded.tables, elapsed, numbers, workers, loaded.index_seconds, analyze_seconds
    )


async def seed_demo_if_empty(
    clients: int = 200, orders: int = 600, *, target: SeedTarget | None = None
) -> bool:
    """Seeds a small demo set when there are no clients yet; returns whether it did."""
    target = target or SeedTarget()
    if not await loader.is_empty(target.dsn, target.clients):
        return False
    await seed(clients, orders, reset=False, target=target)
    return True
