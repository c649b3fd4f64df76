"""The proxy's HTTP API as the UI calls it, with the clients service and the legacy simulator
running as processes."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from pydantic import SecretStr

from servicedesk.kernel.settings import RedisSettings
from servicedesk.migration.app import create_app
from servicedesk.migration.settings import MigrationSettings
from tests.legacy.conftest import wait_for_standby
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

CREATED = datetime(2022, 5, 6, 9, 30)


async def _legacy_customer(with_orders: int = 0) -> tuple[int, str]:
    customer_id = 2_200_000_000 + random.randrange(10_000_000) * 10
    name = "Прокс" + "".join(random.choices("абвгдежзиклмнопрст", k=7)) + " Олег Олегович"
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
                "insert into legacy.orders values ($1, $2, $3, 'ЗАКР', 990.5, 'RUR',"
                ' \'[{"Article": "A-1", "Name": "Кабель", "Qty": 1,'
                ' "Price": "990,50"}]\', $4)',
                customer_id + n,
                f"T/{customer_id + n}",
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


@pytest.fixture(scope="module")
async def legacy_customer() -> AsyncIterator[tuple[int, str]]:
    customer = await _legacy_customer()
    yield customer
    await _forget_legacy(customer[0])


def _settings(upstream: tuple[str, str, str], **changes: object) -> MigrationSettings:
    clients_url, legacy_url, orders_url = upstream
    return MigrationSettings(
        clients_url=clients_url, legacy_url=legacy_url, orders_url=orders_url, **changes
    )


@pytest.fixture(scope="module")
async def proxy(upstream: tuple[str, str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(_settings(upstream))) as client:
        yield client


async def test_search_create_and_edit_through_the_proxy(
    proxy: httpx.AsyncClient, tokens: TokenShop, legacy_customer: tuple[int, str]
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customer_id, name = legacy_customer
    surname = name.split()[0]

    created = await proxy.post(
        "/api/v1/clients",
        json={"display_name": f"{surname} Новый", "kind": "person"},
        headers=agent,
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"].startswith("/api/v1/clients/")

    found = await proxy.get("/api/v1/clients/search", params={"q": surname}, headers=agent)
    assert found.status_code == 200, found.text
    assert "x-partial-sources" not in found.headers
    body = found.json()
    assert body["partial"] is None
    assert {(i["display_name"], i["source"]) for i in body["items"]} >= {
        (f"{surname} Новый", "ours"),
        (name, "legacy"),
    }

    edited = await proxy.patch(
        f"/api/v1/clients/LC-{customer_id}", json={"email": "oleg@example.com"}, headers=agent
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["external_id"] == f"LC-{customer_id}"
    assert edited.headers["etag"] == '"2"'

    again = await proxy.get("/api/v1/clients/search", params={"q": surname}, headers=agent)
    migrated = [i for i in again.json()["items"] if i["external_id"] == f"LC-{customer_id}"]
    assert [(i["source"], i["migrated"]) for i in migrated] == [("ours", True)]


async def test_bad_input_is_our_services_problem_passed_on(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    response = await proxy.post("/api/v1/clients", json={"kind": "robot"}, headers=agent)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_who_may_use_the_proxy(proxy: httpx.AsyncClient, tokens: TokenShop) -> None:
    reporter = bearer(await tokens.access("reporter1"))
    assert (await proxy.get("/api/v1/clients/search?q=x", headers=reporter)).status_code == 403
    assert (await proxy.get("/api/v1/clients/search?q=x")).status_code == 401


async def test_without_redis_it_serves_uncached_and_says_so(
    upstream: tuple[str, str, str], tokens: TokenShop, legacy_customer: tuple[int, str]
) -> None:
    settings = _settings(upstream, redis=RedisSettings(url=SecretStr("redis://127.0.0.1:9/0")))
    async with serve(create_app(settings)) as proxy:
        ready = await proxy.get("/health/ready")
        assert ready.status_code == 200, "still ready: Redis only speeds it up"
        assert ready.json()["checks"]["redis"]["ok"] is False
        agent = bearer(await tokens.access("agent1"))
        surname = legacy_customer[1].split()[0]
        found = await proxy.get("/api/v1/clients/search", params={"q": surname}, headers=agent)
    assert found.status_code == 200, found.text
    assert found.headers["x-partial-sources"] == "cache=redis-unavailable"
    assert legacy_customer[1] in {i["display_name"] for i in found.json()["items"]}


async def test_a_clients_orders_come_from_both_systems(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customer_id, _ = await _legacy_customer(with_orders=2)
    try:
        before = await proxy.get(
            "/api/v1/orders", params={"client": f"LC-{customer_id}"}, headers=agent
        )
        assert before.status_code == 200, before.text
        assert [o["source"] for o in before.json()["items"]] == ["legacy", "legacy"]
        assert before.json()["items"][0]["currency"] == "RUB"

        body = {"client_id": f"LC-{customer_id}", "currency": "RUB", "total_amount": "100"}
        created = await proxy.post("/api/v1/orders", json=body, headers=agent)
        assert created.status_code == 201, created.text

        after = await proxy.get(
            "/api/v1/orders", params={"client": f"LC-{customer_id}"}, headers=agent
        )
        sources = sorted(o["source"] for o in after.json()["items"])
        assert sources == ["legacy", "legacy", "ours"], "the new order is ours, its client moved in"
        client_id = created.json()["client_id"]
        by_our_id = await proxy.get("/api/v1/orders", params={"client": client_id}, headers=agent)
        assert sorted(o["source"] for o in by_our_id.json()["items"]) == sources
    finally:
        await _forget_legacy(customer_id)


async def test_progress_says_what_is_known_moved_and_left(
    proxy: httpx.AsyncClient, tokens: TokenShop, legacy_customer: tuple[int, str]
) -> None:
    supervisor = bearer(await tokens.access("supervisor1"))
    response = await proxy.get("/api/v1/migration/progress", headers=supervisor)
    assert response.status_code == 200, response.text
    progress = response.json()
    assert progress["legacy"] == {"reachable": True, "failure": None}
    assert progress["breaker"] == "closed"
    clients = progress["clients"]
    assert clients["known_in_legacy"] >= 1
    assert clients["held_by_us"] >= clients["moved_from_legacy"] >= 1
    assert clients["left_to_move"] == max(
        0, clients["known_in_legacy"] - clients["moved_from_legacy"]
    )
    metrics = (await proxy.get("/metrics")).text
    assert "migration_legacy_call_seconds_bucket" in metrics
    agent = bearer(await tokens.access("agent1"))
    assert (await proxy.get("/api/v1/migration/progress", headers=agent)).status_code == 403


async def test_the_parallel_run_check_finds_what_differs_from_the_original(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customers = [await _legacy_customer() for _ in range(3)]
    try:
        untouched, edited, tampered = (f"LC-{c[0]}" for c in customers)
        for reference in (untouched, tampered):
            moved = await proxy.patch(f"/api/v1/clients/{reference}", json={}, headers=agent)
            assert moved.status_code == 200, moved.text
        await proxy.patch(
            f"/api/v1/clients/{edited}", json={"email": "e@example.com"}, headers=agent
        )
        admin = await admin_connection()
        try:  # a defect: our copy differs from the original although nobody edited it
            await admin.execute(
                "update clients.clients set display_name = 'Испорчено', version = 1"
                " where external_id = $1",
                tampered,
            )
        finally:
            await admin.close()
        supervisor = bearer(await tokens.access("supervisor1"))
        params = [("customer_id", str(c[0])) for c in customers]
        report = (
            await proxy.get("/api/v1/migration/verification", params=params, headers=supervisor)
        ).json()
    finally:
        for customer_id, _ in customers:
            await _forget_legacy(customer_id)
    assert report["sampled"] == report["moved"] == 3
    assert report["edited_since_move"] == 2, "an empty edit still makes a version"
    assert (
        report["mismatches"]
        == [
            {
                "external_id": tampered,
                "fields": {"display_name": {"legacy": customers[2][1], "ours": "Испорчено"}},
            }
        ]
        or report["matching"] == 0
    )


async def test_the_union_list_pages_ours_then_legacy(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    first = await proxy.get("/api/v1/clients", params={"limit": 5}, headers=agent)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["partial"] is None
    assert page["next_cursor"]
    assert all(item["source"] == "ours" for item in page["items"])
    second = await proxy.get(
        "/api/v1/clients", params={"limit": 5, "cursor": page["next_cursor"]}, headers=agent
    )
    assert second.status_code == 200
    assert not {i["id"] for i in page["items"]} & {i.get("id") for i in second.json()["items"]}
    forged = await proxy.get("/api/v1/clients", params={"cursor": "bm9wZQ"}, headers=agent)
    assert forged.status_code == 422


async def test_an_order_number_only_the_legacy_system_has_is_found(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    customer_id, _ = await _legacy_customer(with_orders=1)
    try:
        found = await proxy.get(
            "/api/v1/orders/search", params={"q": f"T/{customer_id}"}, headers=agent
        )
    finally:
        await _forget_legacy(customer_id)
    assert found.status_code == 200, found.text
    legacy = [o for o in found.json()["items"] if o["source"] == "legacy"]
    assert [(o["number"], o["external_id"]) for o in legacy] == [
        (f"T/{customer_id}", f"LO-{customer_id}")
    ]


async def test_the_union_list_of_orders_pages_ours_then_legacy(
    proxy: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    first = await proxy.get("/api/v1/orders", params={"limit": 3}, headers=agent)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["next_cursor"]
    assert all(item["source"] == "ours" for item in page["items"])
    second = await proxy.get(
        "/api/v1/orders", params={"limit": 3, "cursor": page["next_cursor"]}, headers=agent
    )
    assert second.status_code == 200, second.text
    assert not {i["id"] for i in page["items"]} & {i.get("id") for i in second.json()["items"]}
