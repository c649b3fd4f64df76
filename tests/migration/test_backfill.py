"""Backfill on the real stack: parents before children, idempotent, resumable."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from servicedesk.migration.backfill import Backfill, Checkpoints
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.usecases.verification import verify_orders
from servicedesk.migration.wiring import build_parts, close_parts
from tests.legacy.conftest import wait_for_standby
from tests.support.infra import REDIS_URL, admin_connection

CREATED = datetime(2020, 1, 2, 3, 4)
LINES = '[{"Article": "X", "Name": "Роутер", "Qty": 2, "Price": "1500,00"}]'


class Counting:
    def __init__(self) -> None:
        self.totals: dict[str, int] = {}

    def start(self, entity: str, total: int, done: int) -> None:
        self.totals[entity] = total

    def advance(self, entity: str, rows: int) -> None:
        pass


@pytest.fixture
async def segment() -> AsyncIterator[tuple[str, int]]:
    """Three legacy customers of a segment of their own, with two orders each."""
    word = "Бэкф" + "".join(random.choices("абвгдежзиклмнопрст", k=8))
    first = 2_300_000_000 + random.randrange(10_000_000) * 10
    admin = await admin_connection()
    for n in range(3):
        await admin.execute(
            "insert into legacy.customers values ($1, $2, 'P', '', '', '', $3, $3)",
            first + n,
            f"{word} Клиент{n}",
            CREATED,
        )
        for k in range(2):
            await admin.execute(
                "insert into legacy.orders values ($1, $2, $3, 'ОПЛ', 3000, 'RUR', $4, $5)",
                first + n * 2 + k,
                f"B/{first + n * 2 + k}",
                first + n,
                LINES,
                CREATED,
            )
    await wait_for_standby()
    yield word, first
    await admin.execute(
        "delete from legacy.orders where customer_id between $1 and $2", first, first + 9
    )
    await admin.execute(
        "delete from legacy.customers where customer_id between $1 and $2", first, first + 9
    )
    await admin.close()


async def _backfill(upstream: tuple[str, str, str], word: str) -> tuple[dict, Counting]:  # type: ignore[type-arg]
    clients_url, legacy_url, orders_url = upstream
    settings = MigrationSettings(
        clients_url=clients_url, legacy_url=legacy_url, orders_url=orders_url
    )
    redis = Redis.from_url(REDIS_URL)
    connection = await asyncpg.connect(settings.db.primary_dsn())
    progress = Counting()
    async with httpx.AsyncClient() as http:
        ours, legacy = build_parts(settings, redis, http)
        backfill = Backfill(legacy, ours, Checkpoints(connection), progress, 2, 1000, word.lower())
        points = await backfill.run()
        await close_parts(ours)
    await connection.close()
    await redis.aclose()
    return points, progress


async def _ours(first: int) -> tuple[int, int]:
    admin = await admin_connection()
    try:
        clients = await admin.fetchval(
            "select count(*) from clients.clients where external_id = any($1::text[])",
            [f"LC-{first + n}" for n in range(3)],
        )
        orders = await admin.fetchval(
            "select count(*) from orders.orders where external_id = any($1::text[])",
            [f"LO-{first + n}" for n in range(6)],
        )
    finally:
        await admin.close()
    return int(clients), int(orders)


async def test_backfill_moves_customers_then_their_orders_once(
    upstream: tuple[str, str, str], segment: tuple[str, int]
) -> None:
    word, first = segment
    points, progress = await _backfill(upstream, word)
    assert progress.totals == {"clients": 3, "orders": 3}
    assert (points["clients"].moved, points["orders"].moved) == (3, 6)
    assert await _ours(first) == (3, 6)

    again, _ = await _backfill(upstream, word)
    assert again["clients"].legacy_offset == 3, "a finished run resumes at its end"
    assert await _ours(first) == (3, 6), "nothing moved twice"


async def test_the_parallel_run_check_of_orders_after_a_backfill(
    upstream: tuple[str, str, str], segment: tuple[str, int]
) -> None:
    word, first = segment
    await _backfill(upstream, word)
    admin = await admin_connection()
    try:  # a defect: a moved order that no longer says what the legacy system says
        await admin.execute(
            "update orders.orders set status = 'cancelled' where external_id = $1", f"LO-{first}"
        )
    finally:
        await admin.close()
    clients_url, legacy_url, orders_url = upstream
    settings = MigrationSettings(
        clients_url=clients_url, legacy_url=legacy_url, orders_url=orders_url
    )
    redis = Redis.from_url(REDIS_URL)
    async with httpx.AsyncClient() as http:
        ours, legacy = build_parts(settings, redis, http)
        report = await verify_orders(
            legacy, ours, 0, random.Random(1), [first + n for n in range(6)]
        )
        await close_parts(ours)
    await redis.aclose()
    assert (report.sampled, report.moved, report.matching) == (6, 6, 5)
    assert report.model_dump(mode="json")["mismatches"] == [
        {
            "external_id": f"LO-{first}",
            "fields": {"status": {"legacy": "paid", "ours": "cancelled"}},
        }
    ]
