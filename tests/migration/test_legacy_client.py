"""The adapter against the real simulator, run in-process: reads, 404s, and every failure as
one typed error within the deadline.

Rows of these tests live at ids from 900,000,000 (a range of their own, deleted afterwards);
the simulator's fault knobs live under a Redis key of this test session only.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from servicedesk.clients.schemas import ClientImport
from servicedesk.legacy.app import create_app
from servicedesk.legacy.settings import LegacySettings
from servicedesk.migration.adapters.legacy_api import LegacyClient, LegacyUnavailable
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.translation import client_from_legacy, order_from_legacy
from servicedesk.ops.seeding.legacy import seed_legacy
from servicedesk.orders.schemas import OrderImport
from tests.legacy.rows import legacy_rows, wait_for_standby
from tests.support.apps import serve
from tests.support.infra import admin_connection

ADMIN = {"X-Admin-Key": "local-legacy-admin-key"}
FAULTS = "/legacy/admin/faults"
API_KEY = SecretStr("local-legacy-api-key")
HAND_MADE_TAG = "zm"  # marks the rows this module makes by hand
CREATED = datetime(2024, 1, 15, 21, 30, 5, tzinfo=UTC)  # 16.01.2024 00:30:05 in Moscow
LINES = (
    '[{"Article": "NB-001", "Name": "Ноутбук  Lenovo", "Qty": 1, "Price": "1000,50"},'
    ' {"Article": "MS-001", "Name": "Мышь", "Qty": 2, "Price": "117,00"}]'
)


@dataclass(frozen=True)
class MigrationRows:
    """Customers `first`…`first + 3` and orders `first`…`first + 1`, names marked by `tag`."""

    first: int
    tag: str

    def id(self, n: int) -> int:
        return self.first + n


def _customers(rows: MigrationRows) -> list[tuple[object, ...]]:
    tag = rows.tag.upper()
    specs = [
        (f"{tag}ОВ  ИВАН ПЕТРОВИЧ", "P", "Ivanov@Mail.RU", "8 (916) 123-45-67", None),
        (f"ООО «{rows.tag}Строй»", "C", None, "+7 495 1234567 доб. 123", "7707083893"),
        (f"ИП {rows.tag}ев А. Б.", "C", None, "+44 7700 900123", "500100732259"),
        (f"{rows.tag} Broken", "P", "not-an-email", "12-34", "1234567890"),
    ]
    return [
        (rows.id(n), name, kind, mail, phone, inn, CREATED, CREATED)
        for n, (name, kind, mail, phone, inn) in enumerate(specs)
    ]


def _orders(rows: MigrationRows) -> list[tuple[object, ...]]:
    specs = [("ОПЛ", "1234.50", "RUR"), ("ОТМ", "1300.00", "USD")]  # the second's total is off
    return [
        (rows.id(n), f"{rows.tag}/{n}", rows.id(0), state, Decimal(total), cur, LINES, CREATED)
        for n, (state, total, cur) in enumerate(specs)
    ]


@pytest.fixture(scope="module")
async def migration_rows() -> AsyncIterator[MigrationRows]:
    tag = HAND_MADE_TAG + "".join(random.choices("abcdefghijklmnopqrstuvwxyz", k=8))
    rows = MigrationRows(2_000_000_000 + random.randrange(10_000_000) * 10, tag)
    async with legacy_rows(_customers(rows), _orders(rows), first=rows.first, last=rows.first + 4):
        yield rows


@pytest.fixture(scope="module")
async def simulator() -> AsyncIterator[httpx.AsyncClient]:
    """The simulator in-process; its fault knobs under a Redis key of its own."""
    settings = LegacySettings(faults_redis_key=f"sd:legacy:faults:test-{uuid.uuid4().hex}")
    async with serve(create_app(settings)) as client:
        yield client


def adapter(http: httpx.AsyncClient, deadline_s: float = 0.8) -> LegacyClient:
    return LegacyClient(http, base_url=str(http.base_url), api_key=API_KEY, deadline_s=deadline_s)


@pytest.fixture
def legacy(simulator: httpx.AsyncClient) -> LegacyClient:
    return adapter(simulator)


@pytest.fixture
async def knobs(simulator: httpx.AsyncClient) -> AsyncIterator[None]:
    """Fault knobs may be set by the test; they are reset afterwards."""
    yield
    assert (await simulator.delete(FAULTS, headers=ADMIN)).status_code == 200


async def _set(simulator: httpx.AsyncClient, **values: Any) -> None:
    response = await simulator.put(FAULTS, json=values, headers=ADMIN)
    assert response.status_code == 200, response.text


async def test_a_customer_is_read_and_translated(
    legacy: LegacyClient, migration_rows: MigrationRows
) -> None:
    customer = await legacy.get_customer(migration_rows.id(0))
    assert customer is not None
    assert (customer.customer_id, customer.cust_type, customer.inn) == (
        migration_rows.id(0),
        "P",
        "",
    )
    assert customer.created_at == "16.01.2024 00:30:05"
    record = client_from_legacy(customer)
    assert record.external_id == f"LC-{migration_rows.id(0)}"
    assert record.display_name == f"{migration_rows.tag.capitalize()}ов Иван Петрович"
    assert (record.kind, record.email, record.phone, record.tax_id) == (
        "person",
        "ivanov@mail.ru",
        "+79161234567",
        None,
    )
    assert record.dropped == {}
    ClientImport.model_validate(record.model_dump(mode="json"))


async def test_customers_are_searched_by_name_in_pages(
    legacy: LegacyClient, migration_rows: MigrationRows
) -> None:
    page = await legacy.search_customers(migration_rows.tag, offset=0, count=2)
    assert (page.total, page.offset) == (4, 0)
    assert [c.customer_id for c in page.rows] == [migration_rows.id(0), migration_rows.id(1)]
    rest = await legacy.search_customers(migration_rows.tag, offset=2, count=50)
    assert [c.customer_id for c in rest.rows] == [migration_rows.id(2), migration_rows.id(3)]
    records = [client_from_legacy(c) for c in [*page.rows, *rest.rows]]
    assert [r.kind for r in records] == ["person", "company", "person", "person"]
    assert records[1].dropped == {"phone_extension": "extension 123 cut off: ours holds none"}
    assert records[2].tax_id == "500100732259", "a sole proprietor keeps a person's INN"
    assert set(records[3].dropped) == {"email", "phone", "tax_id"}
    for record in records:
        ClientImport.model_validate(record.model_dump(mode="json"))


async def test_an_order_is_read_and_translated(
    legacy: LegacyClient, migration_rows: MigrationRows
) -> None:
    order = await legacy.get_order(migration_rows.id(0))
    assert order is not None
    assert (order.order_no, order.state, order.amount, order.currency) == (
        f"{migration_rows.tag}/0",
        "ОПЛ",
        "1234,50",
        "RUR",
    )
    client_id = uuid.uuid4()
    record = order_from_legacy(order, client_id)
    payload = record.model_dump(mode="json")
    assert payload["external_id"] == f"LO-{migration_rows.id(0)}"
    assert (payload["status"], payload["currency"], payload["total_amount"]) == (
        "paid",
        "RUB",
        "1234.50",
    )
    assert payload["created_at"] == "2024-01-16T00:30:05+03:00"
    assert [i["title"] for i in payload["items"]] == ["Ноутбук Lenovo", "Мышь"]
    assert "dropped" not in payload
    imported = OrderImport.model_validate(payload)
    assert imported.client_id == client_id


async def test_orders_are_listed_by_customer_and_number(
    legacy: LegacyClient, migration_rows: MigrationRows
) -> None:
    page = await legacy.list_orders(customer_id=migration_rows.id(0))
    assert [o.order_id for o in page.rows] == [migration_rows.id(0), migration_rows.id(1)]
    by_number = await legacy.list_orders(number=f"{migration_rows.tag}/1", offset=0, count=5)
    assert by_number.total == 1
    record = order_from_legacy(by_number.rows[0], uuid.uuid4())
    assert record.total_amount == record.items[0].unit_price + 2 * record.items[1].unit_price
    assert "total_amount" in record.dropped, "Amount 1300,00 is not the sum of its lines"
    OrderImport.model_validate(record.model_dump(mode="json"))


async def test_missing_records_are_none(legacy: LegacyClient) -> None:
    assert await legacy.get_customer(2**62) is None
    assert await legacy.get_order(2**62) is None


@pytest.fixture(scope="module")
async def seeded_data() -> AsyncIterator[None]:
    """The demo data when it is loaded (`./sd up`); else a small seed in a range of its own."""
    admin = await admin_connection()
    start: int | None = None
    try:
        demo = await admin.fetchval(
            "select count(*) from legacy.customers where customer_id < 900000000"
        )
        if demo < 1_000:
            start = 2_200_000_000 + random.randrange(10_000_000) * 10_000
            await seed_legacy(1_000, 3_000, reset=False, start_after=start)
            await wait_for_standby()
        yield
    finally:
        if start is not None:
            last = start + 10_000
            await admin.execute(
                "delete from legacy.orders where order_id between $1 and $2", start, last
            )
            await admin.execute(
                "delete from legacy.customers where customer_id between $1 and $2", start, last
            )
        await admin.close()


@pytest.mark.usefixtures("seeded_data")
async def test_seeded_rows_translate_into_our_input_models(legacy: LegacyClient) -> None:
    """Real seeded data, read over HTTP, validates against our real input models."""
    customers = await legacy.search_customers(offset=0, count=500)
    assert customers.total >= 1_000
    more = await legacy.search_customers(offset=customers.total // 2, count=500)
    for customer in [*customers.rows, *more.rows]:
        ClientImport.model_validate(client_from_legacy(customer).model_dump(mode="json"))
    orders = await legacy.list_orders(offset=0, count=500)
    later = await legacy.list_orders(offset=orders.total // 2, count=500)
    for order in [*orders.rows, *later.rows]:
        if order.order_no.startswith(HAND_MADE_TAG):
            continue  # this module's own rows (`migration_rows`), one total off on purpose
        record = order_from_legacy(order, uuid.uuid4())
        assert "total_amount" not in record.dropped, "seeded amounts are the sums of lines"
        OrderImport.model_validate(record.model_dump(mode="json"))


@pytest.mark.usefixtures("knobs")
async def test_the_deadline_cuts_a_slow_answer(simulator: httpx.AsyncClient) -> None:
    deadline_s = MigrationSettings().legacy_deadline_s
    legacy = adapter(simulator, deadline_s)
    await _set(simulator, latency_ms=int(deadline_s * 1000) + 1_500)
    started = time.perf_counter()
    with pytest.raises(LegacyUnavailable) as failure:
        await legacy.search_customers("Иван", count=1)
    elapsed = time.perf_counter() - started
    assert failure.value.reason == "timeout"
    assert deadline_s <= elapsed < deadline_s + 0.15


@pytest.mark.usefixtures("knobs")
async def test_errors_are_legacy_unavailable(
    simulator: httpx.AsyncClient, legacy: LegacyClient
) -> None:
    await _set(simulator, error_rate=1.0)
    for _ in range(12):
        with pytest.raises(LegacyUnavailable) as failure:
            await legacy.get_customer(1)
        assert failure.value.reason == "error"
        assert failure.value.detail[:3] in {"500", "502", "503"}


@pytest.mark.usefixtures("knobs")
async def test_an_outage_is_legacy_unavailable(
    simulator: httpx.AsyncClient, legacy: LegacyClient
) -> None:
    await _set(simulator, outage=True, latency_ms=5_000)
    started = time.perf_counter()
    with pytest.raises(LegacyUnavailable) as failure:
        await legacy.list_orders(customer_id=1)
    assert failure.value.reason == "outage"
    assert time.perf_counter() - started < 0.3


async def test_an_unreachable_system_is_legacy_unavailable() -> None:
    async with httpx.AsyncClient() as http:
        legacy = LegacyClient(
            http, base_url="http://127.0.0.1:9", api_key=SecretStr("x"), deadline_s=2
        )
        with pytest.raises(LegacyUnavailable) as failure:
            await legacy.get_order(1)
    assert failure.value.reason == "unreachable"


async def test_a_wrong_api_key_is_an_error(simulator: httpx.AsyncClient) -> None:
    legacy = LegacyClient(
        simulator, base_url=str(simulator.base_url), api_key=SecretStr("wrong"), deadline_s=1
    )
    with pytest.raises(LegacyUnavailable) as failure:
        await legacy.get_customer(1)
    assert (failure.value.reason, failure.value.detail[:3]) == ("error", "401")


def test_the_settings_document_the_deadline() -> None:
    field = MigrationSettings.model_fields["legacy_deadline_s"]
    assert field.default == 0.8
    assert field.description is not None
    assert "0.8 s" in field.description
