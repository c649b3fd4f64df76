"""Small async helpers that make tickets data through the real APIs (unique per call)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import jwt

from servicedesk.kernel.settings import DatabaseSettings
from tests.legacy.conftest import wait_for_standby
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

INCIDENTS = "/api/v1/incidents"
PROBLEM_JSON = "application/problem+json"
LEGACY_CREATED = datetime(2023, 3, 4, 10, 0)


def unique(label: str = "Incident") -> str:
    return f"{label} {uuid.uuid4().hex[:12]}"


def token() -> str:
    """A made-up word (Latin letters only) that full-text search finds in one test's data."""
    return "zq" + uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))


async def search(
    api: httpx.AsyncClient, headers: dict[str, str], q: str | None, **params: Any
) -> list[dict[str, Any]]:
    """One page (up to 200) of the incident list for `q` (None: no text) and other filters."""
    if q is not None:
        params["q"] = q
    response = await api.get(INCIDENTS, params={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def headers_of(tokens: TokenShop, who: str | None) -> dict[str, str]:
    """`agent1`, `service:channels`, or None (no token at all)."""
    if who is None:
        return {}
    if who.startswith("service:"):
        return bearer(await tokens.service(who.removeprefix("service:")))
    return bearer(await tokens.access(who))


async def subject_of(tokens: TokenShop, username: str) -> str:
    """The Keycloak id of a demo user (the `sub` of its token)."""
    claims = jwt.decode(await tokens.access(username), options={"verify_signature": False})
    return str(claims["sub"])


async def open_incident(
    api: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    """Registers an incident (a unique title, category software unless given); its JSON."""
    body: dict[str, Any] = {
        "title": unique(),
        "description": "Something does not work as it should.",
        "category": "software",
        **fields,
    }
    response = await api.post(INCIDENTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def edit_incident(
    api: httpx.AsyncClient, headers: dict[str, str], incident: dict[str, Any], **fields: Any
) -> httpx.Response:
    """PATCH with the If-Match of the version given."""
    return await api.patch(
        f"{INCIDENTS}/{incident['id']}",
        json=fields,
        headers={**headers, "If-Match": f'"{incident["version"]}"'},
    )


async def comment(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    incident: dict[str, Any],
    body: str,
    visibility: str = "public",
) -> httpx.Response:
    return await api.post(
        f"{INCIDENTS}/{incident['id']}/comments",
        json={"body": body, "visibility": visibility},
        headers=headers,
    )


async def our_client(proxy: str, headers: dict[str, str]) -> dict[str, Any]:
    """A client of ours, created through the migration proxy."""
    body = {"display_name": unique("Клиент"), "kind": "company"}
    async with httpx.AsyncClient(base_url=proxy) as http:
        created = await http.post("/api/v1/clients", json=body, headers=headers)
    assert created.status_code == 201, created.text
    await wait_for_standby()  # the proxy looks it up on the standby, as another reader
    found: dict[str, Any] = created.json()
    return found


async def our_order(proxy: str, headers: dict[str, str], client_id: str) -> dict[str, Any]:
    """An order of ours for the client, created through the migration proxy."""
    body = {"client_id": client_id, "currency": "RUB", "total_amount": "150.00"}
    async with httpx.AsyncClient(base_url=proxy) as http:
        created = await http.post("/api/v1/orders", json=body, headers=headers)
    assert created.status_code == 201, created.text
    await wait_for_standby()
    found: dict[str, Any] = created.json()
    return found


async def legacy_customer(name: str | None = None, with_orders: int = 0) -> int:
    """A customer only the legacy system knows (orders `LO-<id>`…); forget it afterwards."""
    customer_id = 2_600_000_000 + random.randrange(10_000_000) * 10
    name = name or "Тикетов " + "".join(random.choices("абвгдежзиклмнопрст", k=7)) + " Иван"
    admin = await admin_connection()
    try:
        await admin.execute(
            "insert into legacy.customers values ($1, $2, 'P', '', '', '', $3, $3)",
            customer_id,
            name,
            LEGACY_CREATED,
        )
        for n in range(with_orders):
            await admin.execute(
                "insert into legacy.orders values ($1, $2, $3, 'ОПЛ', 10.5, 'RUR',"
                ' \'[{"Article": "A-1", "Name": "Кабель", "Qty": 1, "Price": "10,50"}]\', $4)',
                customer_id + n,
                f"TK/{customer_id + n}",
                customer_id,
                LEGACY_CREATED,
            )
    finally:
        await admin.close()
    await wait_for_standby()
    return customer_id


async def forget_legacy(customer_id: int) -> None:
    admin = await admin_connection()
    try:
        await admin.execute("delete from legacy.orders where customer_id = $1", customer_id)
        await admin.execute("delete from legacy.customers where customer_id = $1", customer_id)
    finally:
        await admin.close()


async def tickets_db() -> asyncpg.Connection:
    """A connection to the primary as the tickets service's own role."""
    return await asyncpg.connect(DatabaseSettings.local("tickets").primary_dsn())


async def outbox_of(incident_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, payload) of the incident's events, in the order they were recorded."""
    connection = await tickets_db()
    try:
        rows = await connection.fetch(
            "select event_type, payload::text from tickets.outbox"
            " where aggregate_type = 'incident' and aggregate_id = $1 order by seq",
            incident_id,
        )
    finally:
        await connection.close()
    return [(row["event_type"], json.loads(row["payload"])) for row in rows]


async def directory_user_id(api: httpx.AsyncClient, headers: dict[str, str], username: str) -> str:
    """An assignable user's Keycloak id, from the tickets directory."""
    found = await api.get("/api/v1/directory/users", params={"q": username}, headers=headers)
    assert found.status_code == 200, found.text
    return str(next(u["id"] for u in found.json() if u["username"] == username))


async def directory_group_id(api: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    found = await api.get("/api/v1/directory/groups", params={"q": name}, headers=headers)
    assert found.status_code == 200, found.text
    return str(next(g["id"] for g in found.json() if g["name"] == name))


async def count_titled(title: str) -> int:
    """How many incidents of the last hour bear this title, read on the primary (recent ones
    only: the newest-first index finds them without reading every incident)."""
    connection = await tickets_db()
    try:
        return int(
            await connection.fetchval(
                "select count(*) from tickets.incidents"
                " where created_at > now() - interval '1 hour' and title = $1",
                title,
            )
        )
    finally:
        await connection.close()
