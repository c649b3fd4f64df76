"""Clients and orders on incidents, checked through the migration proxy: ours, legacy-only, an
order's client filled in, mismatches refused, and a proxy that cannot answer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from servicedesk.tickets.app import create_app
from tests.support.apps import serve
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import (
    INCIDENTS,
    PROBLEM_JSON,
    count_titled,
    edit_incident,
    forget_legacy,
    headers_of,
    legacy_customer,
    open_incident,
    our_client,
    our_order,
    search,
    unique,
)


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    return [e["field"] for e in response.json()["errors"]]


def body(**fields: Any) -> dict[str, Any]:
    return {"title": unique(), "description": "It broke.", "category": "billing", **fields}


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


async def test_our_client_and_its_order(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], proxy_urls: dict[str, str]
) -> None:
    client = await our_client(proxy_urls["migration"], agent)
    incident = await open_incident(tickets_api, agent, client=client["id"])
    assert (incident["client_ref"], incident["client_name"], incident["client_source"]) == (
        client["id"],
        client["display_name"],
        "ours",
    )
    order = await our_order(proxy_urls["migration"], agent, client["id"])
    by_order = await open_incident(tickets_api, agent, order=order["id"])
    assert (by_order["order_ref"], by_order["order_number"]) == (order["id"], order["number"])
    assert by_order["client_ref"] == client["id"], "the order's client is filled in"
    assert by_order["client_name"] == client["display_name"]
    both = await open_incident(tickets_api, agent, client=client["id"], order=order["id"])
    assert (both["client_ref"], both["order_ref"]) == (client["id"], order["id"])
    listed = await search(tickets_api, agent, None, client=client["id"])
    assert {i["id"] for i in listed} == {incident["id"], by_order["id"], both["id"]}


async def test_a_legacy_only_client_and_order(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    name = f"Легасин Тест {uuid.uuid4().hex[:6]}"
    customer_id = await legacy_customer(name, with_orders=1)
    try:
        incident = await open_incident(tickets_api, agent, client=f"LC-{customer_id}")
        by_order = await open_incident(tickets_api, agent, order=f"LO-{customer_id}")
    finally:
        await forget_legacy(customer_id)
    assert (incident["client_ref"], incident["client_source"]) == (f"LC-{customer_id}", "legacy")
    assert incident["client_name"] == name, "a snapshot of the legacy name"
    assert (by_order["order_ref"], by_order["order_number"]) == (
        f"LO-{customer_id}",
        f"TK/{customer_id}",
    )
    assert (by_order["client_ref"], by_order["client_name"]) == (f"LC-{customer_id}", name)


async def test_an_order_of_another_client_is_refused(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], proxy_urls: dict[str, str]
) -> None:
    proxy = proxy_urls["migration"]
    mine, other = await our_client(proxy, agent), await our_client(proxy, agent)
    order = await our_order(proxy, agent, other["id"])
    data = body(client=mine["id"], order=order["id"])
    assert fields_of(await tickets_api.post(INCIDENTS, json=data, headers=agent)) == ["order"]
    assert await count_titled(data["title"]) == 0


@pytest.mark.parametrize(
    ("field", "reference"),
    [
        ("client", str(uuid.uuid4())),
        ("client", "LC-2699999999"),
        ("client", "not-a-reference"),
        ("order", str(uuid.uuid4())),
        ("order", "LO-2699999999"),
    ],
)
async def test_unknown_references_are_refused(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], field: str, reference: str
) -> None:
    data = body(**{field: reference})
    assert fields_of(await tickets_api.post(INCIDENTS, json=data, headers=agent)) == [field]
    assert await count_titled(data["title"]) == 0


async def test_proxy_down_is_503_and_nothing_is_stored(
    agent: dict[str, str], proxy_urls: dict[str, str]
) -> None:
    client = await our_client(proxy_urls["migration"], agent)
    async with serve(create_app(tickets_settings("http://127.0.0.1:9"))) as down:
        for field in ("client", "order"):
            data = body(**{field: client["id"]})
            response = await down.post(INCIDENTS, json=data, headers=agent)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM_JSON
            assert response.json()["type"].endswith("/references-unavailable")
            assert int(response.headers["retry-after"]) > 0
            assert await count_titled(data["title"]) == 0
        plain = await down.post(INCIDENTS, json=body(), headers=agent)
        assert plain.status_code == 201, "no reference, no need of the proxy"
        edit = await edit_incident(down, agent, plain.json(), client=client["id"], urgency="high")
        assert edit.status_code == 503, edit.text
        unchanged = (await down.get(f"{INCIDENTS}/{plain.json()['id']}", headers=agent)).json()
        assert (unchanged["version"], unchanged["urgency"]) == (1, "medium")


async def test_the_order_and_the_client_stay_consistent_on_edits(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], proxy_urls: dict[str, str]
) -> None:
    proxy = proxy_urls["migration"]
    first, second = await our_client(proxy, agent), await our_client(proxy, agent)
    first_order = await our_order(proxy, agent, first["id"])
    second_order = await our_order(proxy, agent, second["id"])
    incident = await open_incident(tickets_api, agent, order=first_order["id"])
    assert incident["client_ref"] == first["id"]

    for client in (second["id"], None):
        refused = await edit_incident(tickets_api, agent, incident, client=client)
        assert fields_of(refused) == ["client"], "the kept order belongs to the first client"
    mismatch = await edit_incident(tickets_api, agent, incident, order=second_order["id"])
    assert fields_of(mismatch) == ["order"]

    moved = await edit_incident(
        tickets_api, agent, incident, client=second["id"], order=second_order["id"]
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["client_ref"], moved.json()["order_ref"]) == (
        second["id"],
        second_order["id"],
    )
    assert moved.json()["client_name"] == second["display_name"]
    cleared = await edit_incident(tickets_api, agent, moved.json(), client=None, order=None)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["client_ref"], cleared.json()["order_ref"]) == (None, None)
    again = await edit_incident(tickets_api, agent, cleared.json(), order=first_order["id"])
    assert again.status_code == 200, again.text
    assert (again.json()["client_ref"], again.json()["order_number"]) == (
        first["id"],
        first_order["number"],
    ), "the order brings its client"
