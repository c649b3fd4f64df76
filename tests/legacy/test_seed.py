"""The legacy seeder on the real tables, in an id range of its own that it deletes after:
realistic rows in the legacy shapes, every order's customer there, ids dense and appended."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import httpx
import pytest

from servicedesk.ops.seeding.legacy import LegacySeedReport, seed_legacy, seed_legacy_demo_if_empty
from tests.legacy.conftest import API, BASE, LegacyRows, wait_for_standby
from tests.support.infra import admin_connection

RAW_PHONE = re.compile(
    r"^(8 \(\d{3}\) \d{3}-\d{2}-\d{2}|\+7 \d{3} \d{7}|8\d{10}|\+7 \(\d{3}\) \d{3}-\d{2}-\d{2}"
    r"|8-\d{3}-\d{3}-\d{2}-\d{2}|\+7\d{10})( доб\. \d{2,3})?$"
    r"|^\+44 \d{4} \d{6}$|^\+1 \(\d{3}\) \d{3}-\d{4}$"
)
STATES = {"НОВ", "ПОДТВ", "ОПЛ", "ОТГР", "ЗАКР", "ОТМ"}


@pytest.fixture(scope="module")
async def db() -> AsyncIterator[asyncpg.Connection]:
    connection = await admin_connection()
    yield connection
    await connection.close()


@pytest.fixture(scope="module")
async def seeded(db: asyncpg.Connection) -> AsyncIterator[tuple[int, LegacySeedReport]]:
    start = 950_000_000 + random.randrange(4_000_000) * 10_000
    try:
        yield start, await seed_legacy(200, 600, reset=False, start_after=start)
    finally:
        await db.execute("delete from legacy.orders where order_id > $1", start)
        await db.execute("delete from legacy.customers where customer_id > $1", start)


async def test_a_small_seed_loads_dense_ids(
    seeded: tuple[int, LegacySeedReport], db: asyncpg.Connection
) -> None:
    start, report = seeded
    assert report.customers == (start + 1, start + 200)
    assert report.orders == (start + 1, start + 600)
    counts = await db.fetchrow(
        "select (select count(*) from legacy.customers where customer_id > $1) as customers,"
        " (select count(*) from legacy.orders where order_id > $1) as orders",
        start,
    )
    assert dict(counts) == {"customers": 200, "orders": 600}


async def test_every_order_belongs_to_a_seeded_customer(
    seeded: tuple[int, LegacySeedReport], db: asyncpg.Connection
) -> None:
    start, _ = seeded
    orphans = await db.fetchval(
        "select count(*) from legacy.orders o where o.order_id > $1 and not exists"
        " (select from legacy.customers c where c.customer_id = o.customer_id and c.customer_id > $1)",
        start,
    )
    assert orphans == 0


async def test_customers_are_in_the_legacy_shapes(
    seeded: tuple[int, LegacySeedReport], db: asyncpg.Connection
) -> None:
    rows = await db.fetch(
        "select full_name, cust_type, phone_raw, inn from legacy.customers where customer_id > $1",
        seeded[0],
    )
    assert {r["cust_type"] for r in rows} == {"P", "C"}
    phones = [r["phone_raw"] for r in rows if r["phone_raw"]]
    assert len(phones) > 150
    assert [p for p in phones if not RAW_PHONE.match(p)] == []
    assert len({p[:2] for p in phones}) >= 2, "typed in more than one way"
    assert any(re.search("[А-Яа-я]", r["full_name"]) for r in rows)
    assert all(r["inn"] is None or len(r["inn"]) in (10, 12) for r in rows)


async def test_orders_are_in_the_legacy_shapes(
    seeded: tuple[int, LegacySeedReport], db: asyncpg.Connection
) -> None:
    rows = await db.fetch(
        "select order_no, state, amount, currency, lines from legacy.orders where order_id > $1",
        seeded[0],
    )
    assert {r["currency"] for r in rows} <= {"RUR", "USD", "EUR"}
    assert "RUR" in {r["currency"] for r in rows}
    assert {r["state"] for r in rows} <= STATES
    assert len({r["order_no"] for r in rows}) == 600
    for row in rows:
        lines = json.loads(row["lines"])
        assert lines
        assert all(set(line) == {"Article", "Name", "Qty", "Price"} for line in lines)
        total = sum(line["Qty"] * Decimal(line["Price"].replace(",", ".")) for line in lines)
        assert total == row["amount"], row["order_no"]


async def test_appending_carries_on_after_the_highest_id(
    seeded: tuple[int, LegacySeedReport],
) -> None:
    start, _ = seeded
    report = await seed_legacy(3, 5, reset=False)
    assert report.customers == (start + 201, start + 203)
    assert report.orders == (start + 601, start + 605)


async def test_a_taken_range_is_refused(seeded: tuple[int, LegacySeedReport]) -> None:
    with pytest.raises(ValueError, match="taken"):
        await seed_legacy(10, 10, reset=False, start_after=seeded[0] + 100)


async def test_seeded_rows_are_served_by_the_api(
    seeded: tuple[int, LegacySeedReport], legacy_api: httpx.AsyncClient
) -> None:
    await wait_for_standby()
    first = seeded[0] + 1
    customer = (await legacy_api.get(f"{BASE}/customers/{first}", headers=API)).json()
    params: dict[str, str | int] = {"name": customer["FullName"], "count": 500}
    page = (await legacy_api.get(f"{BASE}/customers", params=params, headers=API)).json()
    assert first in [row["CustomerID"] for row in page["Rows"]]
    params = {"customer_id": first}
    orders = (await legacy_api.get(f"{BASE}/orders", params=params, headers=API)).json()
    assert all(o["CustomerID"] == first for o in orders["Rows"])


async def test_demo_seeds_nothing_when_customers_exist(legacy_rows: LegacyRows) -> None:
    assert await seed_legacy_demo_if_empty() is False
