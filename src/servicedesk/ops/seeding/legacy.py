"""Seeds the legacy simulator's customers and orders, made like ours (`clients`, `orders`) and
put in the legacy shapes (`legacy_shapes`). Ids are dense from 1; an append carries on after
the highest. `reset` empties the tables first; the demo seeds only when there are none."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import asyncpg

from servicedesk.ops.catalogue import DATABASE
from servicedesk.ops.provision import admin_dsn
from servicedesk.ops.seeding import loader
from servicedesk.ops.seeding.clients import ClientSpace, client_rows
from servicedesk.ops.seeding.draws import seeded
from servicedesk.ops.seeding.legacy_shapes import (
    CUSTOMER_COLUMNS,
    ORDER_COLUMNS,
    customer_record,
    order_record,
)
from servicedesk.ops.seeding.loader import Batch, Job
from servicedesk.ops.seeding.orders import OrderPlan, indexed_order_rows
from servicedesk.ops.seeding.progress import SeedProgress, SilentProgress

SPAN_S = 3 * 365 * 86_400  # customers and orders are spread over the last three years
CUSTOMERS = "legacy.customers"
ORDERS = "legacy.orders"
VACUUM = "vacuum (analyze) legacy.customers, legacy.customer_name_tails, legacy.orders"


@dataclass(frozen=True, slots=True)
class LegacySeedReport:
    customers: tuple[int, int] | None  # first and last CustomerID loaded
    orders: tuple[int, int] | None  # first and last OrderID loaded
    seconds: float
    customer_seconds: float
    order_seconds: float


@dataclass(frozen=True, slots=True)
class LegacyRows:
    """Makes the batches of a run's jobs: ("customers" | "orders", start, stop). Customer `j`
    is CustomerID `first_ids[0] + j`, order `i` OrderID `first_ids[1] + i`."""

    space: ClientSpace
    plan: OrderPlan
    first_ids: tuple[int, int]

    def batches(self, job: Job) -> list[Batch]:
        kind, start, stop = job
        first_customer, first_order = self.first_ids
        if kind == "orders":
            rows = indexed_order_rows(self.space, self.plan, start, stop)
            orders = [
                order_record(first_order + index, row, first_customer + client)
                for index, (client, row) in enumerate(rows, start=start)
            ]
            return [Batch(ORDERS, ORDER_COLUMNS, orders)]
        clients, _known = client_rows(self.space, start, stop, 0, self.plan.now_ts)
        rng = seeded(f"{self.space.key.hex()}/legacy-customers/{start}")
        customers = [
            customer_record(first_customer + index, row, rng)
            for index, row in enumerate(clients, start=start)
        ]
        return [Batch(CUSTOMERS, CUSTOMER_COLUMNS, customers)]


async def _first_ids(
    connection: asyncpg.Connection, customers: int, orders: int, start_after: int | None
) -> tuple[int, int]:
    """Dense ids carrying on after the highest; or after `start_after`, if that range is free."""
    if start_after is None:
        last_customer = await connection.fetchval("select max(customer_id) from legacy.customers")
        last_order = await connection.fetchval("select max(order_id) from legacy.orders")
        return (last_customer or 0) + 1, (last_order or 0) + 1
    taken = await connection.fetchval(
        "select exists (select from legacy.customers where customer_id between $1 and $2)"
        " or exists (select from legacy.orders where order_id between $1 and $3)",
        start_after + 1,
        start_after + customers,
        start_after + orders,
    )
    if taken:
        raise ValueError(f"ids after {start_after} are taken already")
    return start_after + 1, start_after + 1


def _rows(customers: int, orders: int, first_ids: tuple[int, int], seed: int) -> LegacyRows:
    """The same seed gives the same data for the same first ids."""
    label = f"servicedesk-legacy-seed/{seed}/{first_ids[0]}/{first_ids[1]}"
    key = hashlib.blake2b(label.encode(), digest_size=16).digest()
    now = int(time.time())
    space = ClientSpace(key, customers, now - SPAN_S, SPAN_S)
    plan = OrderPlan(key, orders, 1, 1, now)
    return LegacyRows(space, plan, first_ids)


async def seed_legacy(
    customers: int,
    orders: int,
    *,
    reset: bool,
    progress: SeedProgress | None = None,
    dsn: str | None = None,
    start_after: int | None = None,
    seed: int = 42,
    batch_size: int = 10_000,
) -> LegacySeedReport:
    """Adds `customers` customers and `orders` orders of those customers.

    `start_after` puts the ids right after it (refused if any is taken), instead of after
    the highest id; tests use it to load into a range of their own.
    """
    if orders and not customers:
        raise ValueError("orders need customers to belong to")
    progress = progress or SilentProgress()
    dsn = dsn or admin_dsn(DATABASE)
    started = time.perf_counter()
    jobs = loader.jobs("customers", customers, batch_size)
    jobs += loader.jobs("orders", orders, batch_size)
    totals = {CUSTOMERS: customers, ORDERS: orders}
    async with loader.connected(dsn) as connection:
        progress.stage("preparing")
        if reset:
            await connection.execute("truncate legacy.customers, legacy.orders")
        first = await _first_ids(connection, customers, orders, start_after)
        load = loader.BulkLoad(dsn, _rows(customers, orders, first, seed), jobs, totals)
        loaded = await loader.bulk_load(connection, load, progress)
        await loader.analyze(connection, VACUUM, progress)
    customer_load, order_load = loaded.tables
    return LegacySeedReport(
        loader.id_range(first[0], customers),
        loader.id_range(first[1], orders),
        time.perf_counter() - started,
        customer_load.seconds,
        max(order_load.seconds - customer_load.seconds, 0.0),
    )


async def seed_legacy_demo_if_empty(
    customers: int = 50_000, orders: int = 150_000, progress: SeedProgress | None = None
) -> bool:
    """Seeds the default set when the legacy system has no customers yet; returns whether."""
    if not await loader.is_empty(admin_dsn(DATABASE), CUSTOMERS):
        return False
    await seed_legacy(customers, orders, reset=False, progress=progress)
    return True
