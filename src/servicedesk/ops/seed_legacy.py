"""Loads the legacy simulator's customers and orders with COPY, in the legacy system's shapes.

Names, companies, e-mails, INNs, products and order histories come from `fake_data`; this
module turns them into what the old system holds: numeric ids (dense from 1, an append carries
on after the highest), phones as people typed them, "P"/"C", Russian state codes, "RUR" for
roubles (tenge orders were re-priced in roubles), order lines as Article/Name/Qty/Price.
Each batch commits on its own; `reset` empties the tables first.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from servicedesk.ops.catalogue import DATABASE
from servicedesk.ops.fake_data import (
    ClientRow,
    ClientSpace,
    OrderPlan,
    OrderRow,
    client_rows,
    order_rows,
    seeded,
)
from servicedesk.ops.fake_words import words
from servicedesk.ops.progress import SeedProgress, SilentProgress
from servicedesk.ops.provision import admin_dsn

SPAN_S = 3 * 365 * 86_400  # customers and orders are spread over the last three years
CUSTOMERS = "legacy.customers"
ORDERS = "legacy.orders"
CUSTOMER_COLUMNS = words(
    "customer_id full_name cust_type email phone_raw inn created_at modified_at"
)
ORDER_COLUMNS = words("order_id order_no customer_id state amount currency lines created_at")
STATES = dict(
    zip(
        ("new", "confirmed", "paid", "shipped", "completed", "cancelled"),
        ("НОВ", "ПОДТВ", "ОПЛ", "ОТГР", "ЗАКР", "ОТМ"),
        strict=True,
    )
)
_ROUBLES_PER_TENGE = Decimal("0.19")
_CENT = Decimal("0.01")
# (weight, format) of a Russian number typed by a person: code, 3 digits, 2, 2
_RU_PHONE_STYLES = (
    (30, "8 ({0}) {1}-{2}-{3}"),
    (20, "+7 {0} {1}{2}{3}"),
    (20, "8{0}{1}{2}{3}"),
    (15, "+7 ({0}) {1}-{2}-{3}"),
    (10, "8-{0}-{1}-{2}-{3}"),
    (5, "+7{0}{1}{2}{3}"),
)
_RU_PHONE_FORMATS = tuple(f for weight, f in _RU_PHONE_STYLES for _ in range(weight))


@dataclass(frozen=True, slots=True)
class LegacySeedReport:
    customers: tuple[int, int] | None  # first and last CustomerID loaded
    orders: tuple[int, int] | None  # first and last OrderID loaded
    seconds: float
    customer_seconds: float
    order_seconds: float


# --- the legacy shapes ------------------------------------------------------------------


def raw_phone(e164: str, rng: random.Random) -> str:
    """A number as someone typed it into the old system: 8 (916) 123-45-67, +7 916 1234567…"""
    if e164.startswith("+7") and len(e164) == 12:
        digits = e164[2:]
        parts = (digits[:3], digits[3:6], digits[6:8], digits[8:])
        typed = _RU_PHONE_FORMATS[int(rng.random() * len(_RU_PHONE_FORMATS))].format(*parts)
        if not digits.startswith("9") and rng.random() < 0.1:
            typed += f" доб. {rng.randint(10, 999)}"  # an extension on an office line
        return typed
    if e164.startswith("+44") and len(e164) == 13:
        return f"+44 {e164[3:7]} {e164[7:]}"
    if e164.startswith("+1") and len(e164) == 12:
        return f"+1 ({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def _decimal_comma(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def legacy_lines(items_json: str, currency: str) -> tuple[str, Decimal, str]:
    """(lines as JSON, their sum, currency): tenge prices are re-priced in roubles."""
    lines: list[dict[str, Any]] = []
    amount = Decimal(0)
    for item in json.loads(items_json):
        price = Decimal(item["unit_price"])
        if currency == "KZT":
            price = (price * _ROUBLES_PER_TENGE).quantize(_CENT)
        amount += price * item["quantity"]
        lines.append(
            {
                "Article": item["sku"],
                "Name": item["title"],
                "Qty": item["quantity"],
                "Price": _decimal_comma(price),
            }
        )
    legacy_currency = "RUR" if currency in ("RUB", "KZT") else currency
    return json.dumps(lines, ensure_ascii=False), amount, legacy_currency


def _customer_record(customer_id: int, row: ClientRow, rng: random.Random) -> tuple[Any, ...]:
    _id, name, kind, email, phone, inn, _ext, _ver, created, _by, updated, _ = row
    if kind == "person" and rng.random() < 0.03:
        name = name.upper()  # typed with caps lock on, as some were
    phone_raw = raw_phone(phone, rng) if phone else None
    cust_type = "P" if kind == "person" else "C"
    return (customer_id, name, cust_type, email, phone_raw, inn, created, updated)


def _order_record(order_id: int, row: OrderRow, customer_id: int) -> tuple[Any, ...]:
    status, currency, items, created = row[4], row[6], row[7], row[9]
    lines, amount, legacy_currency = legacy_lines(items, currency)
    order_no = f"{created.year}/{order_id:06d}"
    return (
        order_id,
        order_no,
        customer_id,
        STATES[status],
        amount,
        legacy_currency,
        lines,
        created,
    )


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    customers: int
    orders: int
    first_customer_id: int
    first_order_id: int
    space: ClientSpace
    plan: OrderPlan
    batch_size: int


async def _copy(
    connection: asyncpg.Connection, table: str, columns: Sequence[str], records: list[Any]
) -> None:
    schema, name = table.split(".")
    await connection.copy_records_to_table(
        name, schema_name=schema, columns=list(columns), records=records
    )


async def _load_customers(
    connection: asyncpg.Connection, run: _Run, progress: SeedProgress
) -> dict[UUID, int]:
    """Loads the run's customers; returns each one's CustomerID by its generator id."""
    ids: dict[UUID, int] = {}
    for start in range(0, run.customers, run.batch_size):
        stop = min(start + run.batch_size, run.customers)
        rows, _known = client_rows(run.space, start, stop, 0, run.plan.now_ts)
        rng = seeded(f"{run.space.key.hex()}/legacy-customers/{start}")
        records = []
        for index, row in enumerate(rows, start=start):
            customer_id = run.first_customer_id + index
            ids[row[0]] = customer_id
            records.append(_customer_record(customer_id, row, rng))
        await _copy(connection, CUSTOMERS, CUSTOMER_COLUMNS, records)
        progress.advance(CUSTOMERS, len(records))
    return ids


async def _load_orders(
    connection: asyncpg.Connection, run: _Run, ids: dict[UUID, int], progress: SeedProgress
) -> None:
    for start in range(0, run.orders, run.batch_size):
        stop = min(start + run.batch_size, run.orders)
        rows = order_rows(run.space, run.plan, start, stop)
        records = [
            _order_record(run.first_order_id + index, row, ids[row[2]])
            for index, row in enumerate(rows, start=start)
        ]
        await _copy(connection, ORDERS, ORDER_COLUMNS, records)
        progress.advance(ORDERS, len(records))


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


def _run(
    customers: int, orders: int, first_ids: tuple[int, int], seed: int, batch_size: int
) -> _Run:
    """The same seed gives the same data for the same first ids."""
    label = f"servicedesk-legacy-seed/{seed}/{first_ids[0]}/{first_ids[1]}"
    key = hashlib.blake2b(label.encode(), digest_size=16).digest()
    now = int(time.time())
    space = ClientSpace(key, customers, now - SPAN_S, SPAN_S)
    plan = OrderPlan(key, orders, 1, 1, now)
    return _Run(customers, orders, *first_ids, space, plan, batch_size)


def _id_range(first: int, count: int) -> tuple[int, int] | None:
    return (first, first + count - 1) if count else None


async def seed_legacy(
    customers: int,
    orders: int,
    *,
    reset: bool,
    seed: int = 42,
    batch_size: int = 10_000,
    progress: SeedProgress | None = None,
    dsn: str | None = None,
    start_after: int | None = None,
) -> LegacySeedReport:
    """Adds `customers` customers and `orders` orders of those customers.

    `start_after` puts the ids right after it (refused if any is taken), instead of after
    the highest id; tests use it to load into a range of their own.
    """
    if orders and not customers:
        raise ValueError("orders need customers to belong to")
    progress = progress or SilentProgress()
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn or admin_dsn(DATABASE))
    try:
        progress.stage("preparing")
        if reset:
            await connection.execute("truncate legacy.customers, legacy.orders")
        first = await _first_ids(connection, customers, orders, start_after)
        run = _run(customers, orders, first, seed, batch_size)
        progress.table(CUSTOMERS, customers)
        progress.table(ORDERS, orders)
        progress.stage("loading")
        ids = await _load_customers(connection, run, progress)
        customers_done = time.perf_counter()
        await _load_orders(connection, run, ids, progress)
        orders_done = time.perf_counter()
        progress.stage("analyzing")
        await connection.execute(
            "vacuum (analyze) legacy.customers, legacy.customer_name_tails, legacy.orders"
        )
        progress.stage("done")
    finally:
        await connection.close()
    return LegacySeedReport(
        _id_range(first[0], customers),
        _id_range(first[1], orders),
        time.perf_counter() - started,
        customers_done - started,
        orders_done - customers_done,
    )


async def seed_legacy_demo_if_empty(
    customers: int = 50_000, orders: int = 150_000, progress: SeedProgress | None = None
) -> bool:
    """Seeds the default set when the legacy system has no customers yet; returns whether."""
    connection = await asyncpg.connect(admin_dsn(DATABASE))
    try:
        if await connection.fetchval("select exists (select from legacy.customers)"):
            return False
    finally:
        await connection.close()
    await seed_legacy(customers, orders, reset=False, progress=progress)
    return True
