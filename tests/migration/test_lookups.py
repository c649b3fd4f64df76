"""One client or order by reference through the proxy, as the tickets service checks one: our
clients and orders services and the legacy simulator running as processes; the legacy system's
failures injected into a simulator in-process, behind a proxy with a cache and breaker of its
own (so no other test, and no other proxy, sees them)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from servicedesk.kernel.breaker import SharedBreaker as CircuitBreaker
from servicedesk.kernel.state import kernel_state
from servicedesk.legacy.app import create_app as create_legacy
from servicedesk.legacy.settings import LegacySettings
from servicedesk.migration.adapters.legacy_api import LegacyClient
from servicedesk.migration.adapters.legacy_cache import LegacyCache
from servicedesk.migration.app import create_app
from servicedesk.migration.ports import LegacySide
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.state import migration_state
from tests.legacy.conftest import wait_for_standby
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

ADMIN = {"X-Admin-Key": "local-legacy-admin-key"}
FAULTS = "/legacy/admin/faults"
PROBLEM = "application/problem+json"
CREATED = datetime(2023, 7, 8, 11, 15)
DEADLINE_S = 0.5
BREAKER_OPEN_S = 30
CLIENT_KEYS = {"source", "migrated", "id", "external_id", "display_name", "kind"}
CLIENT_KEYS |= {"email", "phone", "tax_id"}
ORDER_KEYS = {"source", "migrated", "id", "external_id", "number", "client_id"}
ORDER_KEYS |= {"client_external_id", "status", "currency", "items", "total_amount", "created_at"}


async def _legacy_customer(with_orders: int = 0) -> tuple[int, str]:
    """A legacy-only customer (and orders `customer_id`…, numbered `L/<order id>`)."""
    customer_id = 2_400_000_000 + random.randrange(10_000_000) * 10
    name = "Справ" + "".join(random.choices("абвгдежзиклмнопрст", k=7)) + " Ирина Олеговна"
    admin = await admin_connection()
    try:
        await admin.execute(
            "insert into legacy.customers values ($1, $2, 'P', '', '', '', $3, $3)",
            customer_id,
            name,
            CREATED,
        )
        for n in range(with_orders):
            await admin.execute(
                "insert into legacy.orders values ($1, $2, $3, 'ОПЛ', 990.5, 'RUR',"
                ' \'[{"Article": "A-1", "Name": "Кабель", "Qty": 1,'
                ' "Price": "990,50"}]\', $4)',
                customer_id + n,
                f"L/{customer_id + n}",
                customer_id,
                CREATED,
            )
    finally:
        await admin.close()
    await wait_for_standby()
    return customer_id, name


async def _forget_legacy(customer_id: int) -> None:
    admin = await admin_connection()
    try:
        await admin.execute("delete from legacy.orders where customer_id = $1", customer_id)
        await admin.execute("delete from legacy.customers where customer_id = $1", customer_id)
    finally:
        await admin.close()


def _unused_legacy_id() -> int:
    """An id in this module's range that no row of it ever gets (rows sit at multiples of 10)."""
    return 2_400_000_000 + random.randrange(10_000_000) * 10 + 9


def _settings(upstream: tuple[str, str, str]) -> MigrationSettings:
    clients_url, legacy_url, orders_url = upstream
    return MigrationSettings(clients_url=clients_url, legacy_url=legacy_url, orders_url=orders_url)


@pytest.fixture(scope="module")
async def proxy(upstream: tuple[str, str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(_settings(upstream))) as client:
        yield client


@pytest.fixture(scope="module")
async def simulator() -> AsyncIterator[httpx.AsyncClient]:
    """The legacy simulator in-process, its fault knobs under a Redis key of its own."""
    settings = LegacySettings(faults_redis_key=f"sd:legacy:faults:test-{uuid.uuid4().hex}")
    async with serve(create_legacy(settings)) as client:
        yield client


@dataclass
class Faulty:
    proxy: httpx.AsyncClient
    simulator: httpx.AsyncClient

    async def set(self, **knobs: Any) -> None:
        response = await self.simulator.put(FAULTS, json=knobs, headers=ADMIN)
        assert response.status_code == 200, response.text


@pytest.fixture
async def faulty(
    upstream: tuple[str, str, str], simulator: httpx.AsyncClient
) -> AsyncIterator[Faulty]:
    """A proxy whose legacy side is the in-process simulator, with a fresh cache and breaker."""
    app = create_app(_settings(upstream))
    async with serve(app) as client:
        name = f"test-{uuid.uuid4().hex[:8]}"
        legacy = LegacyClient(
            simulator,
            base_url=str(simulator.base_url),
            api_key=SecretStr("local-legacy-api-key"),
            deadline_s=DEADLINE_S,
        )
        redis = kernel_state(app).require_redis()
        breaker = CircuitBreaker(redis, name, threshold=2, open_s=BREAKER_OPEN_S)
        migration_state(app).legacy = LegacySide(legacy, LegacyCache(redis, name), breaker)
        try:
            yield Faulty(client, simulator)
        finally:
            await simulator.delete(FAULTS, headers=ADMIN)
            await breaker.record_success()  # its keys gone: the tripped mark has no expiry


async def _our_client(proxy: httpx.AsyncClient, agent: dict[str, str]) -> dict[str, Any]:
    body = {"display_name": f"Справка {uuid.uuid4().hex[:8]}", "kind": "person"}
    created = await proxy.post("/api/v1/clients", json=body, headers=agent)
    assert created.status_code == 201, created.text
    found: dict[str, Any] = created.json()
    return found


async def _move_in(proxy: httpx.AsyncClient, agent: dict[str, str], customer_id: int) -> str:
    """Moves a legacy customer in the one way the seed allows: by editing it. Our id."""
    edited = await proxy.patch(f"/api/v1/clients/LC-{customer_id}", json={}, headers=agent)
    assert edited.status_code == 200, edited.text
    return str(edited.json()["id"])


def _assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_our_client_by_its_id(proxy: httpx.AsyncClient, tokens: TokenShop) -> None:
    agent = bearer(await tokens.access("agent1"))
    client = await _our_client(proxy, agent)
    found = await proxy.get(f"/api/v1/clients/{client['id']}", headers=agent)
    assert found.status_code == 200, found.text
    body = found.json()
    assert set(body) >= CLIENT_KEYS
    assert (body["source"], body["migrated"], body["id"]) == ("ours", False, client["id"])
    assert body["display_name"] == client["display_name"]
    assert body["external_id"] is None


async def test_a_legacy_only_client_is_shown_and_not_moved(
    proxy: httpx.AsyncClient, tokens: TokenShop, upstream: tuple[str, str, str]
) -> None:
    tickets = bearer(await tokens.service("tickets"))
    customer_id, name = await _legacy_customer()
    try:
        found = await proxy.get(f"/api/v1/clients/LC-{customer_id}", headers=tickets)
        assert found.status_code == 200, found.text
        body = found.json()
        assert set(body) >= CLIENT_KEYS
        assert (body["source"], body["migrated"], body["id"]) == ("legacy", False, None)
        assert (body["external_id"], body["display_name"]) == (f"LC-{customer_id}", name)
        assert body["kind"] == "person"
        again = await proxy.get(f"/api/v1/clients/LC-{customer_id}", headers=tickets)
        assert again.json() == body
    finally:
        await _forget_legacy(customer_id)
    agent = bearer(await tokens.access("agent1"))
    async with httpx.AsyncClient(base_url=upstream[0]) as clients:
        ours = await clients.get(f"/api/v1/clients/by-external-id/LC-{customer_id}", headers=agent)
    assert ours.status_code == 404, "a lookup never moves a record in"


async def test_a_moved_client_by_its_legacy_id_is_ours(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customer_id, name = await _legacy_customer()
    try:
        our_id = await _move_in(proxy, agent, customer_id)
        found = await proxy.get(f"/api/v1/clients/LC-{customer_id}", headers=agent)
        by_id = await proxy.get(f"/api/v1/clients/{our_id}", headers=agent)
    finally:
        await _forget_legacy(customer_id)
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["source"], body["migrated"], body["id"]) == ("ours", True, our_id)
    assert (body["external_id"], body["display_name"]) == (f"LC-{customer_id}", name)
    assert by_id.json() == body


async def test_unknown_references_are_404(proxy: httpx.AsyncClient, tokens: TokenShop) -> None:
    agent = bearer(await tokens.access("agent1"))
    unused = _unused_legacy_id()
    for path in (
        f"/api/v1/clients/{uuid.uuid4()}",
        f"/api/v1/clients/LC-{unused}",
        f"/api/v1/orders/{uuid.uuid4()}",
        f"/api/v1/orders/LO-{unused}",
    ):
        body = _assert_problem(await proxy.get(path, headers=agent), 404)
        assert body["type"].endswith(("/client-not-found", "/order-not-found")), path


async def test_malformed_references_are_422_naming_the_reference(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    for path in (
        "/api/v1/clients/not-a-reference",
        "/api/v1/clients/LO-5",
        "/api/v1/clients/LC-007",
        "/api/v1/clients/" + "LC-1" * 20,
        "/api/v1/orders/LC-5",
        "/api/v1/orders/12345",
    ):
        body = _assert_problem(await proxy.get(path, headers=agent), 422)
        assert [e["field"] for e in body["errors"]] == ["reference"], path


async def test_orders_by_reference_from_both_systems(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    tickets = bearer(await tokens.service("tickets"))
    customer_id, _ = await _legacy_customer(with_orders=1)
    try:
        legacy = await proxy.get(f"/api/v1/orders/LO-{customer_id}", headers=tickets)
        assert legacy.status_code == 200, legacy.text
        body = legacy.json()
        assert set(body) >= ORDER_KEYS
        assert (body["source"], body["migrated"], body["id"]) == ("legacy", False, None)
        assert (body["external_id"], body["number"]) == (f"LO-{customer_id}", f"L/{customer_id}")
        assert (body["client_id"], body["client_external_id"]) == (None, f"LC-{customer_id}")
        assert (body["currency"], body["total_amount"]) == ("RUB", "990.50")

        new = {"client_id": f"LC-{customer_id}", "currency": "RUB", "total_amount": "100"}
        created = await proxy.post("/api/v1/orders", json=new, headers=agent)
        assert created.status_code == 201, created.text
        our_client = created.json()["client_id"]

        after = (await proxy.get(f"/api/v1/orders/LO-{customer_id}", headers=agent)).json()
        assert (after["source"], after["id"]) == ("legacy", None), "still not moved"
        assert after["client_id"] == our_client, "its client is ours now"

        ours = await proxy.get(f"/api/v1/orders/{created.json()['id']}", headers=tickets)
    finally:
        await _forget_legacy(customer_id)
    assert ours.status_code == 200, ours.text
    order = ours.json()
    assert set(order) >= ORDER_KEYS
    assert (order["source"], order["migrated"], order["id"]) == (
        "ours",
        False,
        created.json()["id"],
    )
    assert (order["number"], order["client_id"]) == (created.json()["number"], our_client)
    assert order["client_external_id"] == f"LC-{customer_id}"


async def test_a_moved_order_by_its_legacy_id_is_ours(
    proxy: httpx.AsyncClient, tokens: TokenShop, upstream: tuple[str, str, str]
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customer_id, _ = await _legacy_customer(with_orders=1)
    try:
        our_client = await _move_in(proxy, agent, customer_id)
        record = {
            "external_id": f"LO-{customer_id}",
            "number": f"L/{customer_id}",
            "client_id": our_client,
            "status": "paid",
            "currency": "RUB",
            "items": [{"sku": "A-1", "title": "Кабель", "quantity": 1, "unit_price": "990.50"}],
            "total_amount": "990.50",
            "created_at": CREATED.isoformat() + "+03:00",
        }
        migration = bearer(await tokens.service("migration"))
        async with httpx.AsyncClient(base_url=upstream[2]) as orders:
            moved = await orders.post(
                "/api/v1/orders/bulk-upsert", json={"records": [record]}, headers=migration
            )
        assert moved.status_code == 200, moved.text
        found = await proxy.get(f"/api/v1/orders/LO-{customer_id}", headers=agent)
    finally:
        await _forget_legacy(customer_id)
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["source"], body["migrated"], body["id"]) == ("ours", True, moved.json()[0]["id"])
    assert (body["client_id"], body["client_external_id"]) == (our_client, f"LC-{customer_id}")


async def test_legacy_down_is_503_for_what_only_it_has_and_ours_still_answers(
    faulty: Faulty, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    ours = await _our_client(faulty.proxy, agent)
    customer_id, _ = await _legacy_customer(with_orders=1)
    seen, unseen = await _legacy_customer(), await _legacy_customer()
    try:
        moved = await _move_in(faulty.proxy, agent, customer_id)
        warm = await faulty.proxy.get(f"/api/v1/clients/LC-{seen[0]}", headers=agent)
        assert warm.status_code == 200, warm.text
        await faulty.set(outage=True)

        for path in (f"/api/v1/clients/LC-{unseen[0]}", f"/api/v1/orders/LO-{customer_id}"):
            response = await faulty.proxy.get(path, headers=agent)
            body = _assert_problem(response, 503)
            assert body["type"].endswith("/legacy-unavailable")
            assert (body["source"], body["reason"]) == ("legacy", "outage")
            assert int(response.headers["retry-after"]) > 0

        cached = await faulty.proxy.get(f"/api/v1/clients/LC-{seen[0]}", headers=agent)
        assert cached.status_code == 200, "a copy in the cache still answers"
        assert cached.json() == warm.json()
        for path in (f"/api/v1/clients/{ours['id']}", f"/api/v1/clients/LC-{customer_id}"):
            response = await faulty.proxy.get(path, headers=agent)
            assert response.status_code == 200, response.text
            assert response.json()["source"] == "ours"
        assert response.json()["id"] == moved
    finally:
        for legacy_id in (customer_id, seen[0], unseen[0]):
            await _forget_legacy(legacy_id)


async def test_legacy_slower_than_the_deadline_is_503_in_time(
    faulty: Faulty, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    await faulty.set(latency_ms=2000)
    started = asyncio.get_running_loop().time()
    response = await faulty.proxy.get(f"/api/v1/clients/LC-{_unused_legacy_id()}", headers=agent)
    elapsed = asyncio.get_running_loop().time() - started
    body = _assert_problem(response, 503)
    assert body["reason"] == "timeout"
    assert response.headers["retry-after"] == "2"
    assert elapsed < DEADLINE_S + 0.5


async def test_an_open_breaker_is_503_at_once_with_its_wait(
    faulty: Faulty, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    await faulty.set(error_rate=1.0)
    for _ in range(2):  # the breaker's threshold
        response = await faulty.proxy.get(f"/api/v1/orders/LO-{_unused_legacy_id()}", headers=agent)
        assert _assert_problem(response, 503)["reason"] == "error"
    response = await faulty.proxy.get(f"/api/v1/clients/LC-{_unused_legacy_id()}", headers=agent)
    assert _assert_problem(response, 503)["reason"] == "breaker-open"
    assert response.headers["retry-after"] == str(BREAKER_OPEN_S)


async def test_who_may_look_up(proxy: httpx.AsyncClient, tokens: TokenShop) -> None:
    reporter = bearer(await tokens.access("reporter1"))
    tickets = bearer(await tokens.service("tickets"))
    client = await _our_client(proxy, bearer(await tokens.access("agent1")))
    for path in (f"/api/v1/clients/{client['id']}", f"/api/v1/orders/{uuid.uuid4()}"):
        _assert_problem(await proxy.get(path, headers=reporter), 403)
        _assert_problem(await proxy.get(path), 401)
    allowed = await proxy.get(f"/api/v1/clients/{client['id']}", headers=tickets)
    assert allowed.status_code == 200, allowed.text


async def test_search_still_wins_over_a_reference(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    for path in ("/api/v1/clients/search", "/api/v1/orders/search"):
        response = await proxy.get(path, params={"q": "справка"}, headers=agent)
        assert response.status_code == 200, response.text
        assert "items" in response.json()
