"""Legacy records arrive by external_id: once each, however often and however concurrently."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

URL = "/api/v1/clients/bulk-upsert"


def _record(external_id: str, name: str = "Импортированный Клиент") -> dict[str, object]:
    return {"external_id": external_id, "display_name": name, "kind": "company"}


@pytest.fixture
async def migration(tokens: TokenShop) -> dict[str, str]:
    return bearer(await tokens.service("migration"))


async def _count(external_id: str) -> int:
    admin = await admin_connection()
    try:
        return int(
            await admin.fetchval(
                "select count(*) from clients.clients where external_id = $1", external_id
            )
        )
    finally:
        await admin.close()


async def test_new_records_are_created_then_kept(
    clients_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    ids = [f"L-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    first = await clients_api.post(
        URL, json={"records": [_record(i) for i in ids]}, headers=migration
    )
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()] == ["created"] * 3
    again = await clients_api.post(
        URL, json={"records": [_record(i, "Другое Имя") for i in ids]}, headers=migration
    )
    assert [r["outcome"] for r in again.json()] == ["kept"] * 3
    assert [r["id"] for r in again.json()] == [r["id"] for r in first.json()]
    assert all(await asyncio.gather(*(_count(i) for i in ids))) == 1


async def test_update_mode_overwrites_only_what_changed(
    clients_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    external_id = f"L-{uuid.uuid4().hex[:10]}"
    await clients_api.post(URL, json={"records": [_record(external_id)]}, headers=migration)
    same = await clients_api.post(
        URL, json={"records": [_record(external_id)], "on_existing": "update"}, headers=migration
    )
    assert same.json()[0]["outcome"] == "kept"
    changed = await clients_api.post(
        URL,
        json={"records": [_record(external_id, "Новое Имя")], "on_existing": "update"},
        headers=migration,
    )
    assert changed.json()[0] | {"id": None} == {
        "external_id": external_id,
        "id": None,
        "outcome": "updated",
        "version": 2,
    }


async def test_twenty_parallel_upserts_of_one_legacy_id_leave_one_record(
    clients_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    external_id = f"L-{uuid.uuid4().hex[:10]}"
    body = {"records": [_record(external_id)]}
    responses = await asyncio.gather(
        *(clients_api.post(URL, json=body, headers=migration) for _ in range(20))
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    outcomes = sorted(r.json()[0]["outcome"] for r in responses)
    assert outcomes == ["created"] + ["kept"] * 19
    assert len({r.json()[0]["id"] for r in responses}) == 1
    assert await _count(external_id) == 1


async def test_a_request_naming_one_legacy_id_twice_is_refused(
    clients_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    body = {"records": [_record("L-dup"), _record("L-dup")]}
    response = await clients_api.post(URL, json=body, headers=migration)
    assert response.status_code == 422


async def test_imports_are_announced(
    clients_api: httpx.AsyncClient, migration: dict[str, str]
) -> None:
    external_id = f"L-{uuid.uuid4().hex[:10]}"
    result = await clients_api.post(
        URL, json={"records": [_record(external_id)]}, headers=migration
    )
    admin = await admin_connection()
    try:
        events = await admin.fetch(
            "select event_type from clients.outbox where aggregate_id = $1",
            result.json()[0]["id"],
        )
    finally:
        await admin.close()
    assert [e["event_type"] for e in events] == ["client.created"]
