"""The legacy API's own shape: PascalCase, numeric ids, Moscow dates, decimal commas, offset
pages with a Total, its own error body, its own API key."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import ValidationError

from servicedesk.kernel.settings import Environment
from servicedesk.legacy.settings import LegacySettings
from tests.legacy.conftest import API, BASE, LegacyRows

LEGACY_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$")


def _is_legacy_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"ErrorCode", "ErrorText"}
    assert body["ErrorCode"] == status
    assert body["ErrorText"]


async def test_a_customer_in_the_legacy_shape(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    response = await legacy_api.get(f"{BASE}/customers/{legacy_rows.customer(0)}", headers=API)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "CustomerID": legacy_rows.customer(0),
        "FullName": f"{legacy_rows.tag.capitalize()}ов Иван Петрович",
        "CustType": "P",
        "Email": "ivanov@mail.ru",
        "Phone": "8 (916) 123-45-67",
        "INN": "",
        "CreatedAt": "16.01.2024 00:30:05",
        "ModifiedAt": "01.07.2024 12:00:00",
    }
    company = (
        await legacy_api.get(f"{BASE}/customers/{legacy_rows.customer(1)}", headers=API)
    ).json()
    assert (company["CustType"], company["Email"], company["INN"]) == ("C", "", "7707083893")
    assert company["Phone"] == "+7 495 1234567"


async def test_an_order_in_the_legacy_shape(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    response = await legacy_api.get(f"{BASE}/orders/{legacy_rows.order(0)}", headers=API)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "OrderID": legacy_rows.order(0),
        "OrderNo": f"{legacy_rows.tag}/0",
        "CustomerID": legacy_rows.customer(0),
        "State": "ОПЛ",
        "Amount": "1234,50",
        "Currency": "RUR",
        "Lines": [
            {"Article": "NB-001", "Name": "Ноутбук Lenovo", "Qty": 1, "Price": "1000,50"},
            {"Article": "MS-001", "Name": "Мышь", "Qty": 2, "Price": "117,00"},
        ],
        "CreatedAt": "11.03.2024 01:15:00",
    }
    euro = (await legacy_api.get(f"{BASE}/orders/{legacy_rows.order(2)}", headers=API)).json()
    assert (euro["Amount"], euro["Currency"], euro["State"]) == ("50,00", "EUR", "НОВ")


async def test_offset_pages_carry_the_total(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    seen = []
    for offset in (0, 2, 4):
        params: dict[str, str | int] = {"name": legacy_rows.tag, "offset": offset, "count": 2}
        page = (await legacy_api.get(f"{BASE}/customers", params=params, headers=API)).json()
        assert set(page) == {"Total", "Offset", "Rows"}
        assert (page["Total"], page["Offset"]) == (5, offset)
        seen += [row["CustomerID"] for row in page["Rows"]]
        assert all(LEGACY_DATE.match(row["CreatedAt"]) for row in page["Rows"])
    assert seen == [legacy_rows.customer(n) for n in range(5)]
    params = {"name": legacy_rows.tag, "offset": 10}
    beyond = (await legacy_api.get(f"{BASE}/customers", params=params, headers=API)).json()
    assert beyond == {"Total": 5, "Offset": 10, "Rows": []}


async def test_unfiltered_lists_page_by_id(legacy_api: httpx.AsyncClient) -> None:
    page = (await legacy_api.get(f"{BASE}/customers", params={"count": 3}, headers=API)).json()
    ids = [row["CustomerID"] for row in page["Rows"]]
    assert ids == sorted(ids)
    assert len(ids) == 3
    assert page["Total"] >= 6
    orders = (await legacy_api.get(f"{BASE}/orders", params={"count": 500}, headers=API)).json()
    assert len(orders["Rows"]) == min(500, orders["Total"])


async def test_orders_by_customer_and_by_number(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    params: dict[str, str | int] = {"customer_id": legacy_rows.customer(0)}
    mine = (await legacy_api.get(f"{BASE}/orders", params=params, headers=API)).json()
    assert mine["Total"] == 2
    assert [o["OrderID"] for o in mine["Rows"]] == [legacy_rows.order(0), legacy_rows.order(1)]
    params = {"number": f"{legacy_rows.tag}/2"}
    by_number = (await legacy_api.get(f"{BASE}/orders", params=params, headers=API)).json()
    assert [o["OrderID"] for o in by_number["Rows"]] == [legacy_rows.order(2)]
    params = {"number": f"{legacy_rows.tag}/"}  # exact, not a prefix
    prefix = (await legacy_api.get(f"{BASE}/orders", params=params, headers=API)).json()
    assert prefix["Total"] == 0
    params = {"customer_id": legacy_rows.customer(5)}
    none = (await legacy_api.get(f"{BASE}/orders", params=params, headers=API)).json()
    assert none == {"Total": 0, "Offset": 0, "Rows": []}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/customers/899999999", 404),
        ("/orders/899999999", 404),
        ("/customers/abc", 400),
        ("/customers?count=501", 400),
        ("/customers?count=0", 400),
        ("/orders?offset=-1", 400),
        ("/no-such-thing", 404),
    ],
)
async def test_failures_in_the_legacy_error_shape(
    legacy_api: httpx.AsyncClient, path: str, status: int
) -> None:
    _is_legacy_error(await legacy_api.get(f"{BASE}{path}", headers=API), status)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_the_legacy_system_takes_no_writes(
    legacy_api: httpx.AsyncClient, method: str
) -> None:
    for path in ("/customers", "/customers/1", "/orders", "/orders/1"):
        response = await legacy_api.request(method, f"{BASE}{path}", json={}, headers=API)
        _is_legacy_error(response, 405)


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}, {"Authorization": "Bearer x"}])
async def test_the_api_key_is_required(
    legacy_api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for path in ("/customers", "/customers/1", "/orders", "/orders/1"):
        _is_legacy_error(await legacy_api.get(f"{BASE}{path}", headers=headers), 401)


async def test_health_metrics_and_me_stay_the_kernels(legacy_api: httpx.AsyncClient) -> None:
    assert (await legacy_api.get("/health/live")).status_code == 200
    assert (await legacy_api.get("/health/ready")).status_code == 200
    assert (await legacy_api.get("/metrics")).status_code == 200
    me = await legacy_api.get("/api/v1/me")
    assert me.status_code == 401
    assert me.headers["content-type"] == "application/problem+json"


def test_production_refuses_the_local_keys() -> None:
    with pytest.raises(ValidationError, match="api_key") as refused:
        LegacySettings(environment=Environment.PRODUCTION)
    assert "admin_key" in str(refused.value)
