"""Legacy orders imported once each; who may do what with orders."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

URL = "/api/v1/orders/bulk-upsert"


async def _known_client() -> uuid.UUID:
    """A client already in the orders projection, as if its event had arrived."""
    client_id = uuid.uuid4()
    admin = await admin_connection()
    try:
        await admin.execute(
            "insert into orders.known_clients (id, display_name) values ($1, 'Импорт Клиент')",
            client_id,
        )
    finally:
        await admin.close()
    return client_id


def _record(client_id: uuid.UUID, external_id: str) -> dict[str, object]:
    return {
        "external_id": external_id,
        "number": f"LO-{external_id[-8:]}",
        "client_id": str(client_id),
        "currency": "RUB",
        "total_amount": "1500.00",
        "status": "completed",
        "created_at": "2024-03-01T10:00:00+03:00",
    }


@pytest.fixture
async def migration(tokens: TokenShop) -> dict[str, str]:
    return bearer(await tokens.service("migration"))


async def test_legacy_orders_are_created_once(
    orders_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    client_id = await _known_client()
    records = [_record(client_id, f"LO-{uuid.uuid4().hex[:8]}") for _ in range(3)]
    first = await orders_api.post(URL, json={"records": records}, headers=migration)
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()] == ["created"] * 3
    again = await orders_api.post(URL, json={"records": records}, headers=migration)
    assert [r["outcome"] for r in again.json()] == ["kept"] * 3
    order = await orders_api.get(f"/api/v1/orders/{first.json()[0]['id']}", headers=migration)
    assert order.json()["created_at"].startswith("2024-03-01T07:00:00")
    assert order.json()["moved_at"] is not None, "when it came from the legacy system"
    held = await orders_api.get(
        "/api/v1/orders/by-external-ids",
        params=[("external_id", r["external_id"]) for r in records] + [("external_id", "LO-x")],
        headers=migration,
    )
    assert sorted(o["external_id"] for o in held.json()) == sorted(
        r["external_id"] for r in records
    )
    assert order.json()["number"] == records[0]["number"]


async def test_twenty_parallel_imports_of_one_order_leave_one(
    orders_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    client_id = await _known_client()
    external_id = f"LO-{uuid.uuid4().hex[:8]}"
    body = {"records": [_record(client_id, external_id)]}
    responses = await asyncio.gather(
        *(orders_api.post(URL, json=body, headers=migration) for _ in range(20))
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    assert sorted(r.json()[0]["outcome"] for r in responses) == ["created"] + ["kept"] * 19
    admin = await admin_connection()
    try:
        count = await admin.fetchval(
            "select count(*) from orders.orders where external_id = $1", external_id
        )
    finally:
        await admin.close()
    assert count == 1


async def test_an_import_naming_an_unknown_client_is_refused(
    orders_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    record = _record(uuid.uuid4(), f"LO-{uuid.uuid4().hex[:8]}")
    response = await orders_api.post(URL, json={"records": [record]}, headers=migration)
    assert response.status_code == 503, "unknown here and the clients service unreachable"


async def test_a_number_taken_by_another_order_is_a_conflict(
    orders_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    client_id = await _known_client()
    first = _record(client_id, f"LO-{uuid.uuid4().hex[:8]}")
    await orders_api.post(URL, json={"records": [first]}, headers=migration)
    clash = _record(client_id, f"LO-{uuid.uuid4().hex[:8]}") | {"number": first["number"]}
    response = await orders_api.post(URL, json={"records": [clash]}, headers=migration)
    assert response.status_code == 409


PRINCIPALS = {
    "agent1": "user",
    "supervisor1": "user",
    "admin1": "user",
    "reporter1": "user",
    "migration": "service",
}
STAFF = {"agent1", "supervisor1", "admin1", "migration"}


@pytest.mark.parametrize("who", list(PRINCIPALS))
@pytest.mark.parametrize("action", ["list", "search", "create", "import"])
async def test_role_matrix(
    orders_api: httpx.AsyncClient, tokens: TokenShop, who: str, action: str
) -> None:
    token = await (tokens.service(who) if PRINCIPALS[who] == "service" else tokens.access(who))
    client_id = await _known_client()
    requests = {
        "list": ("GET", "/api/v1/orders", None),
        "search": ("GET", "/api/v1/orders/search?q=ноутбук", None),
        "create": (
            "POST",
            "/api/v1/orders",
            {"client_id": str(client_id), "currency": "RUB", "total_amount": "1"},
        ),
        "import": ("POST", URL, {"records": [_record(client_id, f"LO-{uuid.uuid4().hex[:8]}")]}),
    }
    method, url, body = requests[action]
    response = await orders_api.request(method, url, json=body, headers=bearer(token))
    allowed = {"admin1", "migration"} if action == "import" else STAFF
    if who in allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403, response.text
