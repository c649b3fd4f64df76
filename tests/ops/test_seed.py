"""The seeding tool on the real database, in scratch copies of the tables.

The copies (`create table … (like … including all)`) keep the real columns, generated search
name, constraints and indexes, so the real tables, and any data in them, are left alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from servicedesk.ops.seeding.clients_orders import SeedTarget, seed, seed_demo_if_empty
from servicedesk.ops.seeding.companies import adjective_form
from servicedesk.ops.seeding.contacts import PHONE_PATTERN
from servicedesk.ops.seeding.inn import inn_checksum_valid
from servicedesk.ops.seeding.loader import connected
from servicedesk.ops.seeding.names import FIRST_FEMALE_RU, feminine_patronymic, feminine_surname
from tests.support.infra import admin_url

CLIENTS = "seedtest_clients"
ORDERS = "seedtest_orders"
SCRATCH = [
    f"drop schema if exists {CLIENTS} cascade",
    f"drop schema if exists {ORDERS} cascade",
    f"create schema {CLIENTS}",
    f"create schema {ORDERS}",
    f"create table {CLIENTS}.clients (like clients.clients including all)",
    f"create table {ORDERS}.known_clients (like orders.known_clients including all)",
    f"create table {ORDERS}.orders (like orders.orders including all)",
    f"create sequence {ORDERS}.order_number_seq",
]
INDEXES = """
select indexname from pg_indexes where schemaname in ($1, $2) order by indexname
"""


@pytest.fixture(scope="module")
async def target() -> AsyncIterator[SeedTarget]:
    async with connected(admin_url()) as connection:
        for statement in SCRATCH:
            await connection.execute(statement)
        yield SeedTarget(admin_url(), CLIENTS, ORDERS)
        for statement in SCRATCH[:2]:
            await connection.execute(statement)


@pytest.fixture
async def seeded(target: SeedTarget) -> SeedTarget:
    await seed(300, 900, reset=True, target=target)
    return target


async def test_a_small_seed_gives_exactly_the_counts_asked(
    seeded: SeedTarget, db: asyncpg.Connection
) -> None:
    counts = await db.fetchrow(
        f"select (select count(*) from {CLIENTS}.clients) as clients,"
        f" (select count(*) from {ORDERS}.known_clients) as known,"
        f" (select count(*) from {ORDERS}.orders) as orders"
    )
    assert dict(counts) == {"clients": 300, "known": 300, "orders": 900}


async def test_client_fields_are_valid(seeded: SeedTarget, db: asyncpg.Connection) -> None:
    rows = await db.fetch(f"select display_name, kind, email, phone, tax_id from {CLIENTS}.clients")
    assert {r["kind"] for r in rows} == {"person", "company"}
    for row in rows:
        if row["tax_id"] is not None:
            assert inn_checksum_valid(row["tax_id"]), row
            organisation = row["kind"] == "company" and not row["display_name"].startswith("ИП ")
            assert len(row["tax_id"]) == (10 if organisation else 12), row
        if row["phone"] is not None:
            assert PHONE_PATTERN.match(row["phone"]), row
        if row["email"] is not None:
            assert row["email"].isascii(), row
            assert row["email"].count("@") == 1, row
    assert 0.4 < sum(r["tax_id"] is not None for r in rows) / len(rows) < 0.8


async def test_russian_names_agree_in_gender(seeded: SeedTarget, db: asyncpg.Connection) -> None:
    names = await db.fetch(f"select display_name from {CLIENTS}.clients where kind = 'person'")
    women = [n.split() for (n,) in names if n.endswith(("вна", "чна"))]
    men = [n.split() for (n,) in names if n.endswith("ич")]
    assert women
    assert men
    assert all(first in FIRST_FEMALE_RU for _, first, _ in women)
    assert not any(first in FIRST_FEMALE_RU for _, first, _ in men)
    assert not any(surname.endswith(("ов", "ев", "ин", "ский")) for surname, _, _ in women)


async def test_every_order_belongs_to_a_seeded_client_by_name(
    seeded: SeedTarget, db: asyncpg.Connection
) -> None:
    mismatched = await db.fetchval(
        f"select count(*) from {ORDERS}.orders o"
        f" left join {CLIENTS}.clients c on c.id = o.client_id"
        f" left join {ORDERS}.known_clients k on k.id = o.client_id"
        " where c.id is null or c.display_name <> o.client_name or k.display_name <> o.client_name"
        " or o.created_at < c.created_at"
    )
    assert mismatched == 0


# orders whose search text or total does not agree with their lines, as SQL computes them
ORDERS_DISAGREEING = {
    "search text folded in SQL": (
        "select count(*) from ("
        "  select o.search_text, orders.fold_text(o.number || ' ' || o.client_name || ' ' ||"
        "    (select string_agg(i ->> 'title', ' ' order by n)"
        "     from jsonb_array_elements(o.items) with ordinality as t(i, n))) as expected"
        f"  from {ORDERS}.orders o order by o.number limit 300"
        ") s where search_text <> expected"
    ),
    "total the sum of the lines": (
        "select count(*) from ("
        "  select o.total_amount, (select sum((i ->> 'quantity')::int * (i ->> 'unit_price')::numeric)"
        f"    from jsonb_array_elements(o.items) i) as lines from {ORDERS}.orders o"
        ") s where total_amount <> lines"
    ),
}


@pytest.mark.parametrize("query", ORDERS_DISAGREEING.values(), ids=ORDERS_DISAGREEING)
async def test_orders_agree_with_their_lines(
    seeded: SeedTarget, db: asyncpg.Connection, query: str
) -> None:
    assert await db.fetchval(query) == 0


async def test_appending_carries_the_numbering_on(
    seeded: SeedTarget, db: asyncpg.Connection
) -> None:
    report = await seed(50, 100, reset=False, target=seeded)
    assert report.numbers == (901, 1000)
    numbers = await db.fetch(f"select number from {ORDERS}.orders order by number")
    assert [n for (n,) in numbers] == [f"ORD-{i:07d}" for i in range(1, 1001)]
    assert await db.fetchval(f"select count(*) from {CLIENTS}.clients") == 350
    assert await db.fetchval(f"select nextval('{ORDERS}.order_number_seq')") == 1001


async def test_the_same_seed_gives_the_same_names(
    target: SeedTarget, db: asyncpg.Connection
) -> None:
    query = f"select id, display_name from {CLIENTS}.clients order by id"
    await seed(120, 0, reset=True, seed=7, target=target)
    first = await db.fetch(query)
    await seed(120, 0, reset=True, seed=7, target=target)
    assert await db.fetch(query) == first
    await seed(120, 0, reset=True, seed=8, target=target)
    assert {n for _, n in await db.fetch(query)} != {n for _, n in first}


async def test_loader_processes_and_index_rebuild_leave_the_indexes(
    target: SeedTarget, db: asyncpg.Connection
) -> None:
    before = await db.fetch(INDEXES, CLIENTS, ORDERS)
    report = await seed(400, 1200, reset=True, target=target, workers=2, rebuild_indexes=True)
    assert [t.rows for t in report.tables] == [400, 400, 1200]
    assert report.index_seconds is not None
    assert await db.fetch(INDEXES, CLIENTS, ORDERS) == before
    assert await db.fetchval(f"select count(distinct client_id) from {ORDERS}.orders") > 100


async def test_demo_seeds_only_an_empty_table(target: SeedTarget, db: asyncpg.Connection) -> None:
    await db.execute(f"truncate {CLIENTS}.clients, {ORDERS}.known_clients, {ORDERS}.orders")
    assert await seed_demo_if_empty(20, 60, target=target)
    assert not await seed_demo_if_empty(20, 60, target=target)
    assert await db.fetchval(f"select count(*) from {ORDERS}.orders") == 60


def test_inn_checksum() -> None:
    assert inn_checksum_valid("7707083893")  # a real organisation's INN
    assert inn_checksum_valid("500100732259")  # a real individual's INN
    assert not inn_checksum_valid("7707083894")
    assert not inn_checksum_valid("500100732258")
    assert not inn_checksum_valid("77070838")
    assert not inn_checksum_valid("77070838９３")


def test_russian_word_forms() -> None:
    assert [feminine_surname(s) for s in ("Иванов", "Королёв", "Троицкий", "Толстой")] == [
        "Иванова",
        "Королёва",
        "Троицкая",
        "Толстая",
    ]
    assert feminine_surname("Шевченко") == "Шевченко"
    assert [feminine_patronymic(p) for p in ("Сергеевич", "Петрович", "Ильич")] == [
        "Сергеевна",
        "Петровна",
        "Ильинична",
    ]
    assert [adjective_form("Северный", g) for g in "mfn"] == ["Северный", "Северная", "Северное"]
    assert [adjective_form("Синий", g) for g in "fn"] == ["Синяя", "Синее"]
