"""The legacy simulator in-process, with rows of its own far above the seeded ids.

Rows live at ids from 900,000,000 and are deleted afterwards; the fault knobs live under a
Redis key of this test session, so a running demo's simulator is never slowed or broken.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from servicedesk.legacy.app import create_app
from servicedesk.legacy.settings import LegacySettings
from tests.legacy.rows import legacy_rows as rows_inserted
from tests.legacy.rows import wait_for_standby as wait_for_standby  # others import it from here
from tests.support.apps import serve

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
    made = LegacyRows(900_000_000 + random.randrange(50_000_000) * 10, _tag())
    async with rows_inserted(
        _customers(made), _orders(made), first=made.first, last=made.first + 9
    ):
        yield made


@pytest.fixture(scope="session")
def legacy_settings() -> LegacySettings:
    return LegacySettings(faults_redis_key=f"sd:legacy:faults:test-{uuid.uuid4().hex}")


@pytest.fixture(scope="session")
async def legacy_api(legacy_settings: LegacySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(legacy_settings)) as client:
        yield client
