"""Our services' accounts through the proxy: a client-credentials token of channels,
notifications, analytics or tickets is accepted by the proxy and, passed on, by our clients and
orders services, with the roles it holds; what those roles do not give is refused.

The proxy runs as a process (as in production: the tickets service checks a client reference
through it over HTTP), in front of the clients, orders and legacy processes of `upstream`; the
tickets service runs in-process. The realm is the file's (the bootstrap syncs it whenever the
file changes).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from servicedesk.tickets.app import create_app as create_tickets
from servicedesk.tickets.settings import TicketsSettings
from tests.support.apps import serve
from tests.support.processes import ARTIFACTS, start_service, stop, wait_ready
from tests.support.tokens import TokenShop, bearer

PROXY_PORT = 18504
ACCOUNTS = ("channels", "notifications", "analytics", "tickets")
EDITORS = {"channels"}  # hold `record-editor`: create and edit clients and orders
INCIDENT_OPENERS = ("channels", "notifications")
PROBLEM = "application/problem+json"
OUR_RECORDS = {"servicedesk-migration", "servicedesk-clients", "servicedesk-orders"}
# the realm roles each account holds beside `service` (every one reads clients and orders)
EXTRA_ROLES = {
    "channels": {"record-editor"},  # registers people who write in and are not clients yet
    "notifications": set(),  # reads contacts; opens incidents (tickets lets any service)
    "analytics": set(),  # reads only
    "tickets": set(),  # checks client and order references
    "migration": {"record-editor", "record-importer"},  # moves legacy records in
}


@pytest.fixture(scope="module")
def shop() -> TokenShop:
    """Tokens of this module's own (the session's shop caches other accounts' tokens)."""
    return TokenShop()


@pytest.fixture(scope="module")
async def proxy_url(upstream: tuple[str, str, str]) -> AsyncIterator[str]:
    clients_url, legacy_url, orders_url = upstream
    proxy = start_service(
        "migration",
        PROXY_PORT,
        {
            "SD_MIGRATION_CLIENTS_URL": clients_url,
            "SD_MIGRATION_ORDERS_URL": orders_url,
            "SD_MIGRATION_LEGACY_URL": legacy_url,
        },
    )
    try:
        await wait_ready(proxy)
        yield proxy.url
    finally:
        stop(proxy)


@pytest.fixture(scope="module")
async def proxy(proxy_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=proxy_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def orders_api(upstream: tuple[str, str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=upstream[2], timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def tickets_api(proxy_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = TicketsSettings(migration_url=proxy_url, attachments_dir=ARTIFACTS / "attachments")
    async with serve(create_tickets(settings)) as client:
        yield client


@pytest.fixture(scope="module")
async def client_of_ours(proxy: httpx.AsyncClient, shop: TokenShop) -> dict[str, Any]:
    """A client made by an agent through the proxy, for the accounts to find."""
    name = f"Сервисный Клиент {uuid.uuid4().hex[:8]}"
    agent = bearer(await shop.access("agent1"))
    created = await proxy.post(
        "/api/v1/clients", json={"display_name": name, "kind": "company"}, headers=agent
    )
    assert created.status_code == 201, created.text
    found: dict[str, Any] = created.json()
    return found


async def _account(shop: TokenShop, name: str) -> dict[str, str]:
    return bearer(await shop.service(name))


def _refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("account", [*ACCOUNTS, "migration"])
async def test_each_account_holds_its_roles_and_is_meant_for_the_proxy_and_our_records(
    shop: TokenShop, account: str
) -> None:
    claims = jwt.decode(await shop.service(account), options={"verify_signature": False})
    audiences = set(claims["aud"])
    assert OUR_RECORDS - {f"servicedesk-{account}"} <= audiences, "the proxy passes it on"
    ours = {"service", "record-editor", "record-importer"} & set(claims["realm_access"]["roles"])
    assert ours == {"service"} | EXTRA_ROLES[account]


@pytest.mark.parametrize("account", ACCOUNTS)
async def test_an_account_searches_clients_and_lists_orders_through_the_proxy(
    proxy: httpx.AsyncClient, shop: TokenShop, client_of_ours: dict[str, Any], account: str
) -> None:
    headers = await _account(shop, account)
    words = client_of_ours["display_name"].split()[-1]
    found = await proxy.get("/api/v1/clients/search", params={"q": words}, headers=headers)
    assert found.status_code == 200, found.text
    assert [i["id"] for i in found.json()["items"]] == [client_of_ours["id"]]
    listed = await proxy.get("/api/v1/orders", params={"limit": 5}, headers=headers)
    assert listed.status_code == 200, listed.text
    theirs = await proxy.get(
        "/api/v1/orders", params={"client": client_of_ours["id"]}, headers=headers
    )
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["items"] == []
    one = await proxy.get(f"/api/v1/clients/{client_of_ours['id']}", headers=headers)
    assert one.status_code == 200, one.text


@pytest.mark.parametrize("account", ACCOUNTS)
async def test_an_account_reads_our_clients_and_orders_services_directly(
    clients_api: httpx.AsyncClient,
    orders_api: httpx.AsyncClient,
    shop: TokenShop,
    client_of_ours: dict[str, Any],
    account: str,
) -> None:
    headers = await _account(shop, account)
    found = await clients_api.get(f"/api/v1/clients/{client_of_ours['id']}", headers=headers)
    assert found.status_code == 200, found.text
    orders = await orders_api.get("/api/v1/orders", params={"limit": 5}, headers=headers)
    assert orders.status_code == 200, orders.text


@pytest.mark.parametrize("account", ACCOUNTS)
async def test_creating_clients_takes_the_record_editor_role(
    proxy: httpx.AsyncClient, clients_api: httpx.AsyncClient, shop: TokenShop, account: str
) -> None:
    headers = await _account(shop, account)
    body = {"display_name": f"Канал Клиент {uuid.uuid4().hex[:8]}", "kind": "person"}
    through_proxy = await proxy.post("/api/v1/clients", json=body, headers=headers)
    directly = await clients_api.post(
        "/api/v1/clients", json=body | {"kind": "company"}, headers=headers
    )
    if account in EDITORS:
        assert through_proxy.status_code == 201, through_proxy.text
        assert directly.status_code == 201, directly.text
    else:
        _refused(through_proxy, 403)
        _refused(directly, 403)


@pytest.mark.parametrize("account", ACCOUNTS)
async def test_no_account_but_migration_imports_in_bulk_or_edits_legacy_records(
    proxy: httpx.AsyncClient,
    clients_api: httpx.AsyncClient,
    orders_api: httpx.AsyncClient,
    shop: TokenShop,
    client_of_ours: dict[str, Any],
    account: str,
) -> None:
    headers = await _account(shop, account)
    record = {
        "external_id": f"LC-9{uuid.uuid4().int % 10**9}",
        "display_name": "Нет",
        "kind": "person",
    }
    clients = await clients_api.post(
        "/api/v1/clients/bulk-upsert", json={"records": [record]}, headers=headers
    )
    _refused(clients, 403)
    order = {
        "external_id": f"LO-9{uuid.uuid4().int % 10**9}",
        "number": f"SA-{uuid.uuid4().hex[:8]}",
        "client_id": client_of_ours["id"],
        "currency": "RUB",
        "total_amount": "10.00",
        "status": "new",
        "created_at": "2024-03-01T10:00:00+03:00",
    }
    orders = await orders_api.post(
        "/api/v1/orders/bulk-upsert", json={"records": [order]}, headers=headers
    )
    _refused(orders, 403)
    if account not in EDITORS:
        edit = await proxy.patch(
            f"/api/v1/clients/{client_of_ours['id']}",
            json={"email": "nobody@example.com"},
            headers=headers | {"If-Match": '"1"'},
        )
        _refused(edit, 403)
        new_order = await proxy.post(
            "/api/v1/orders", json={"client_id": client_of_ours["id"]}, headers=headers
        )
        _refused(new_order, 403)


@pytest.mark.parametrize("account", INCIDENT_OPENERS)
async def test_channels_and_notifications_open_an_incident_about_a_client(
    tickets_api: httpx.AsyncClient,
    proxy: httpx.AsyncClient,
    shop: TokenShop,
    client_of_ours: dict[str, Any],
    account: str,
) -> None:
    headers = await _account(shop, account)
    words = client_of_ours["display_name"].split()[-1]
    found = await proxy.get("/api/v1/clients/search", params={"q": words}, headers=headers)
    client_id = found.json()["items"][0]["id"]
    body = {
        "title": f"Обращение из канала {uuid.uuid4().hex[:8]}",
        "description": "Клиент пишет, что не приходит счёт.",
        "category": "software",
        "channel": "telegram" if account == "channels" else "api",
        "reporter": {"name": "Пётр Клиентов", "telegram_id": 5_550_001},
        "client": client_id,
    }
    created = await tickets_api.post("/api/v1/incidents", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["client_ref"] == client_id
    assert created.json()["client_name"] == client_of_ours["display_name"]


async def test_a_service_without_the_proxys_audience_is_refused(
    proxy: httpx.AsyncClient, shop: TokenShop
) -> None:
    """The legacy simulator's account is meant for no service of ours but itself."""
    headers = await _account(shop, "legacy")
    _refused(await proxy.get("/api/v1/clients/search", params={"q": "а"}, headers=headers), 401)
