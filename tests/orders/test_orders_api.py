"""The orders API on the real database, fed by real client events."""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from servicedesk.orders.app import create_app
from servicedesk.orders.settings import OrdersSettings
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.support.processes import start_service, stop, wait_ready
from tests.support.silent_server import silent_server
from tests.support.tokens import TokenShop, bearer

ITEMS = [
    {
        "sku": "NB-14",
        "title": "Ноутбук Lenovo ThinkPad E14",
        "quantity": 2,
        "unit_price": "89990.50",
    },
    {"sku": "DOCK-1", "title": "USB-C docking station", "quantity": 1, "unit_price": "12000"},
]


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return bearer(await tokens.access("agent1"))


async def _new_client(clients_api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    body = {"display_name": f"Заказчик Тестович {uuid.uuid4().hex[:6]}", "kind": "person"}
    response = await clients_api.post("/api/v1/clients", json=body, headers=headers)
    assert response.status_code == 201
    return dict(response.json())


async def _order_when_known(
    orders_api: httpx.AsyncClient, headers: dict[str, str], body: dict[str, object]
) -> httpx.Response:
    """Creates the order once the client's event reached the orders projection."""
    deadline = time.monotonic() + 15
    while True:
        response = await orders_api.post("/api/v1/orders", json=body, headers=headers)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def test_an_order_for_a_client_known_from_events(
    clients_api: httpx.AsyncClient, orders_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = await _new_client(clients_api, agent)
    body = {"client_id": client["id"], "currency": "rub", "items": ITEMS}
    response = await _order_when_known(orders_api, agent, body)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["number"].startswith("ORD-")
    assert order["client_name"] == client["display_name"]
    assert Decimal(order["total_amount"]) == Decimal("191981.00")
    assert order["currency"] == "RUB"
    assert order["status"] == "new"
    fetched = await orders_api.get(response.headers["location"], headers=agent)
    assert fetched.json() == order
    admin = await admin_connection()
    try:
        event = await admin.fetchval(
            "select event_type from orders.outbox where aggregate_id = $1", order["id"]
        )
    finally:
        await admin.close()
    assert event == "order.created"


def _asking(clients_url: str) -> OrdersSettings:
    """Orders asking a freshly started clients service, whose first answers (keys fetched,
    connections opened) may take longer than the short deadline of a warm one."""
    return OrdersSettings(clients_url=clients_url, client_check_deadline_s=5)


async def test_an_unknown_client_is_a_422_naming_the_field(
    agent: dict[str, str],
) -> None:
    clients = start_service("clients", 18402)
    try:
        await wait_ready(clients)
        async with serve(create_app(_asking(clients.url))) as orders:
            body = {"client_id": str(uuid.uuid4()), "currency": "RUB", "total_amount": "10"}
            response = await orders.post("/api/v1/orders", json=body, headers=agent)
    finally:
        stop(clients)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "client_id"


async def test_a_client_not_yet_in_the_projection_is_asked_for(agent: dict[str, str]) -> None:
    client_id = uuid.uuid4()
    admin = await admin_connection()
    await admin.execute(
        "insert into clients.clients (id, display_name, kind, created_by, updated_by)"
        " values ($1, 'Только Что Созданный', 'company', 'test', 'test')",
        client_id,
    )
    await admin.close()
    clients = start_service("clients", 18403)
    try:
        await wait_ready(clients)
        async with serve(create_app(_asking(clients.url))) as orders:
            body = {"client_id": str(client_id), "currency": "EUR", "total_amount": "99.90"}
            response = await orders.post("/api/v1/orders", json=body, headers=agent)
    finally:
        stop(clients)
    assert response.status_code == 201, response.text
    assert response.json()["client_name"] == "Только Что Созданный"


async def test_a_hung_clients_service_gives_a_quick_503(agent: dict[str, str]) -> None:
    async with silent_server() as url, serve(create_app(OrdersSettings(clients_url=url))) as orders:
        started = time.monotonic()
        body = {"client_id": str(uuid.uuid4()), "currency": "RUB", "total_amount": "1"}
        response = await orders.post("/api/v1/orders", json=body, headers=agent)
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert elapsed < 2, "the check gives up at its deadline"


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"currency": "RUBLES"}, "currency", "at most 3"),
        ({"total_amount": "-1"}, "total_amount", "greater than or equal"),
        ({"total_amount": "10.001"}, "total_amount", "2 decimal places"),
        ({"currency": "JPY", "total_amount": "10.5"}, "total_amount", "0 decimal places"),
        ({"total_amount": "ten"}, "total_amount", "decimal"),
        ({"items": ITEMS, "total_amount": "5"}, "total_amount", "not the sum"),
        ({"items": [ITEMS[0] | {"quantity": 0}]}, "items.0.quantity", "greater than or equal"),
        ({"status": "lost"}, "status", "new"),
        ({"client_id": "nope"}, "client_id", "UUID"),
        ({"discount": 5}, "discount", "Extra inputs"),
        ({"total_amount": None}, "total_amount", "required"),
    ],
)
async def test_bad_input_names_the_field(
    orders_api: httpx.AsyncClient,
    agent: dict[str, str],
    changes: dict[str, object],
    field: str,
    reason: str,
) -> None:
    body = {"client_id": str(uuid.uuid4()), "currency": "RUB", "total_amount": "10"} | changes
    response = await orders_api.post("/api/v1/orders", json=body, headers=agent)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert reason in errors[field]


async def test_orders_of_a_client_and_search(
    clients_api: httpx.AsyncClient, orders_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = await _new_client(clients_api, agent)
    titles = ["Монитор Samsung Odyssey", "Кабель HDMI", "Клавиатура Logitech"]
    numbers = []
    for title in titles:
        item = {
            "sku": "X",
            "title": f"{title} {client['id'][:6]}",
            "quantity": 1,
            "unit_price": "5",
        }
        body = {"client_id": client["id"], "currency": "RUB", "items": [item]}
        response = await _order_when_known(orders_api, agent, body)
        numbers.append(response.json()["number"])

    pages, cursor = [], None
    while True:
        params = {"client_id": client["id"], "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await orders_api.get("/api/v1/orders", params=params, headers=agent)).json()
        pages.append([o["number"] for o in page["items"]])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [n for page in pages for n in page] == list(reversed(numbers)), (
        "newest first, no gaps or repeats"
    )

    by_number = await orders_api.get(
        "/api/v1/orders/search", params={"q": numbers[1]}, headers=agent
    )
    assert [o["number"] for o in by_number.json()["items"]] == [numbers[1]]

    by_text = await orders_api.get(
        "/api/v1/orders/search", params={"q": f"монитр samsung {client['id'][:6]}"}, headers=agent
    )
    assert by_text.json()["items"][0]["number"] == numbers[0]
