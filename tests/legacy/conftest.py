"""The legacy simulator in-process, with rows of its own far above the seeded ids.

Rows live at ids from 900,000,000 and are deleted afterwards; the fault knobs live under a
Redis key of this test session, so a running demo's simulator is never slowed or broken.
"""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import httpx
import pytest

from servicedesk.legacy.app import create_app
from servicedesk.legacy.settings import LegacySettings
from tests.support.apps import serve
from tests.support.infra import STANDBY_PORT, admin_connection

API = {"X-Api-Key": "local-legacy-api-key"}
ADMIN = {"X-Admin-Key": "local-legacy-admin-key"}
BASE = "/legacy/api/v2"
FAULTS = "/legacy/admin/faults"


@dataclass(frozen=True)
class LegacyRows:
    """Customers `first`…`first + 5` and orders `first`…`first + 2`, names marked by `tag`."""

    first: int
    tag: str

    def customer(self, n: int) -> int:
        return self.first + n

    def order(self, n: int) -> int:
        return self.first + n


def _tag() -> str:
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=8))


async def wait_for_standby(timeout_s: float = 5.0) -> None:
    """Reads go to the standby: wait until it has replayed what the primary wrote so far."""
    primary = await admin_connection()
    standby = await admin_connection(STANDBY_PORT)
    try:
        lsn = await primary.fetchval("select pg_current_wal_lsn()::text")
        query = "select pg_last_wal_replay_lsn() >= $1::text::pg_lsn"
        for _ in range(int(timeout_s / 0.01)):
            if await standby.fetchval(query, lsn):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the standby did not catch up")
    finally:
        await primary.close()
        await standby.close()


def _customers(rows: LegacyRows) -> list[tuple[object, ...]]:
    t = rows.tag
    created = datetime(2024, 1, 15, 21, 30, 5, tzinfo=UTC)  # 16.01.2024 00:30:05 in Moscow
    modified = datetime(2024, 7, 1, 9, 0, 0, tzinfo=UTC)  # 01.07.2024 12:00:00 in Moscow
    names = [
        (f"{t.capitalize()}ов Иван Петрович", "P", "ivanov@mail.ru", "8 (916) 123-45-67", None),
        (f"ООО «{t.capitalize()}Строй»", "C", None, "+7 495 1234567", "7707083893"),
        (f"{t.capitalize()}ёв Семён Ильич", "P", None, "89161234567", None),
        (f"ИП {t.capitalize()}ев А. Б.", "C", None, None, "500100732259"),
        (f"Петров {t.capitalize()}ин", "P", None, None, None),
        ("Зинаида Без Заказов", "P", None, None, None),
    ]
    return [
        (rows.customer(n), name, kind, email, phone, inn, created, modified)
        for n, (name, kind, email, phone, inn) in enumerate(names)
    ]


def _orders(rows: LegacyRows) -> list[tuple[object, ...]]:
    created = datetime(2024, 3, 10, 22, 15, 0, tzinfo=UTC)  # 11.03.2024 01:15:00 in Moscow
    lines = [
        '[{"Article": "NB-001", "Name": "Ноутбук Lenovo", "Qty": 1, "Price": "1000,50"},'
        ' {"Article": "MS-001", "Name": "Мышь", "Qty": 2, "Price": "117,00"}]',
        '[{"Article": "SRV-001", "Name": "Услуга: выезд инженера", "Qty": 1, "Price": "99,99"}]',
        '[{"Article": "PAP-001", "Name": "Бумага", "Qty": 10, "Price": "5,00"}]',
    ]
    specs = [(0, "ОПЛ", "1234.50", "RUR"), (0, "ЗАКР", "99.99", "USD"), (1, "НОВ", "50", "EUR")]
    return [
        (
            rows.order(n),
            f"{rows.tag}/{n}",
            rows.customer(c),
            state,
            Decimal(amount),
            cur,
            lines[n],
            created,
        )
        for n, (c, state, amount, cur) in enumerate(specs)
    ]


@pytest.fixture(scope="session")
async def legacy_rows() -> AsyncIterator[LegacyRows]:
    rows = LegacyRows(900_000_000 + random.randrange(50_000_000) * 10, _tag())
    admin = await admin_connection()
    try:
        await admin.executemany(
            "insert into legacy.customers values ($1, $2, $3, $4, $5, $6, $7, $8)",
            _customers(rows),
        )
        await admin.executemany(
            "insert into legacy.orders values ($1, $2, $3, $4, $5, $6, $7, $8)",
            _orders(rows),
        )
        await wait_for_standby()
        yield rows
    finally:
        await _delete_range(admin, rows.first, rows.first + 9)
        await admin.close()


async def _delete_range(admin: asyncpg.Connection, first: int, last: int) -> None:
    await admin.execute("delete from legacy.orders where order_id between $1 and $2", first, last)
    await admin.execute(
        "delete from legacy.customers where customer_id between $1 and $2", first, last
    )


@pytest.fixture(scope="session")
def legacy_settings() -> LegacySettings:
    return LegacySettings(faults_redis_key=f"sd:legacy:faults:test-{uuid.uuid4().hex}")


@pytest.fixture(scope="session")
async def legacy_api(legacy_settings: LegacySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(legacy_settings)) as client:
        yield client
