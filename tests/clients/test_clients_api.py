"""The clients API on the real database: create, read, edit under If-Match, search, pages."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop, bearer

VALID_PERSON_INN = "500100732259"
VALID_COMPANY_INN = "7707083893"


def _tag() -> str:
    return uuid.uuid4().hex[:8]


async def _create(
    api: httpx.AsyncClient, headers: dict[str, str], **fields: object
) -> httpx.Response:
    body = {"display_name": f"Тестовый Клиент {_tag()}", "kind": "person"} | fields
    return await api.post("/api/v1/clients", json=body, headers=headers)


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return bearer(await tokens.access("agent1"))


async def test_create_then_read(clients_api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    created = await _create(
        clients_api,
        agent,
        display_name="Пётр   Сергеевич Ёлкин",
        email="p.yolkin@example.com",
        phone="+7 (916) 123-45-67",
        tax_id=VALID_PERSON_INN,
    )
    assert created.status_code == 201, created.text
    client = created.json()
    assert client["display_name"] == "Пётр Сергеевич Ёлкин"
    assert client["phone"] == "+79161234567"
    assert client["version"] == 1
    assert client["created_by"] == "agent1"
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/v1/clients/{client['id']}"
    fetched = await clients_api.get(created.headers["location"], headers=agent)
    assert fetched.status_code == 200
    assert fetched.json() == client


async def test_creation_is_announced_through_the_outbox(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = (await _create(clients_api, agent)).json()
    admin = await admin_connection()
    try:
        row = await admin.fetchrow(
            "select event_type, payload from clients.outbox where aggregate_id = $1", client["id"]
        )
    finally:
        await admin.close()
    assert row["event_type"] == "client.created"
    assert '"display_name"' in row["payload"]


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"email": "not-an-email"}, "email", "email"),
        ({"phone": "89161234567"}, "phone", "E.164"),
        ({"phone": "+7916abc"}, "phone", "E.164"),
        ({"tax_id": "500100732258"}, "tax_id", "check digits"),
        ({"tax_id": VALID_COMPANY_INN}, "tax_id", "12 digits"),
        ({"kind": "robot"}, "kind", "person"),
        ({"display_name": ""}, "display_name", "at least 1"),
        ({"display_name": "я" * 201}, "display_name", "at most 200"),
        ({"display_name": 42}, "display_name", "string"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"external_id": "has spaces in it"}, "external_id", "pattern"),
    ],
)
async def test_bad_input_names_the_field(
    clients_api: httpx.AsyncClient,
    agent: dict[str, str],
    fields: dict[str, object],
    field: str,
    reason: str,
) -> None:
    response = await _create(clients_api, agent, **fields)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert reason in errors[field]


async def test_a_company_takes_a_ten_digit_inn(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await _create(clients_api, agent, kind="company", tax_id=VALID_COMPANY_INN)
    assert response.status_code == 201, response.text


async def test_edit_needs_the_current_version(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = (await _create(clients_api, agent)).json()
    url = f"/api/v1/clients/{client['id']}"
    missing = await clients_api.patch(url, json={"email": "a@example.com"}, headers=agent)
    assert missing.status_code == 428

    first = await clients_api.patch(
        url, json={"email": "a@example.com"}, headers=agent | {"If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    assert first.headers["etag"] == '"2"'

    stale = await clients_api.patch(
        url, json={"email": "b@example.com"}, headers=agent | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert (await clients_api.get(url, headers=agent)).json()["email"] == "a@example.com"


async def test_edit_clears_optional_fields_but_not_required_ones(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = (await _create(clients_api, agent, email="x@example.com")).json()
    url = f"/api/v1/clients/{client['id']}"
    cleared = await clients_api.patch(
        url, json={"email": None}, headers=agent | {"If-Match": '"1"'}
    )
    assert cleared.json()["email"] is None
    refused = await clients_api.patch(
        url, json={"display_name": None}, headers=agent | {"If-Match": '"2"'}
    )
    assert refused.status_code == 422


async def test_edit_checks_the_inn_against_the_kind(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    client = (await _create(clients_api, agent)).json()
    response = await clients_api.patch(
        f"/api/v1/clients/{client['id']}",
        json={"tax_id": VALID_COMPANY_INN},
        headers=agent | {"If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tax_id"


async def test_unknown_client_is_404(clients_api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    response = await clients_api.get(f"/api/v1/clients/{uuid.uuid4()}", headers=agent)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/client-not-found")
    malformed = await clients_api.get("/api/v1/clients/not-a-uuid", headers=agent)
    assert malformed.status_code == 422


async def test_get_by_external_id(clients_api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    external_id = f"L-{_tag()}"
    created = (await _create(clients_api, agent, external_id=external_id)).json()
    found = await clients_api.get(f"/api/v1/clients/by-external-id/{external_id}", headers=agent)
    assert found.json()["id"] == created["id"]
    again = await _create(clients_api, agent, external_id=external_id)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Шереметьевский Аристарх {tag}", "шереметьевский"),  # case
        ("Шереметьевский Аристарх {tag}", "Шереметевский"),  # a typo (missing ь)
        ("Ёлкин-Палкин Савелий {tag}", "елкин-палкин"),  # ё folds to е
        ("Northwind Trading {tag} LLC", "northwnd trading"),  # Latin typo
        ("ООО «Кукурузный Початок {tag}»", "кукурузный поч"),  # substring
    ],
)
async def test_search_by_name_forgives_case_typos_and_yo(
    clients_api: httpx.AsyncClient, agent: dict[str, str], stored: str, query: str
) -> None:
    tag = _tag()
    created = (await _create(clients_api, agent, display_name=stored.format(tag=tag))).json()
    response = await clients_api.get(
        "/api/v1/clients/search", params={"q": f"{query} {tag}", "limit": 5}, headers=agent
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items, "nothing found"
    assert items[0]["id"] == created["id"]
    assert 0 < items[0]["score"] <= 1


async def test_search_results_come_best_first_in_stable_pages(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    tag = _tag()
    for name in ("Альфа", "Альфа Бета", "Альфа Бета Гамма", "Альфа Бета Гамма Дельта"):
        await _create(clients_api, agent, display_name=f"{name} {tag}")
    seen: list[str] = []
    scores: list[float] = []
    cursor = None
    for _ in range(10):
        params = {"q": f"альфа {tag}", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await clients_api.get("/api/v1/clients/search", params=params, headers=agent)
        ).json()
        seen += [item["id"] for item in page["items"]]
        scores += [item["score"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 4
    assert scores == sorted(scores, reverse=True)


async def test_list_pages_follow_the_name_order_without_overlap(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    for _ in range(3):
        await _create(clients_api, agent)
    first = (await clients_api.get("/api/v1/clients", params={"limit": 3}, headers=agent)).json()
    assert len(first["items"]) == 3
    second = (
        await clients_api.get(
            "/api/v1/clients", params={"limit": 3, "cursor": first["next_cursor"]}, headers=agent
        )
    ).json()
    names = [i["display_name"].lower().replace("ё", "е") for i in first["items"] + second["items"]]
    assert names == sorted(names)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


async def test_a_forged_cursor_is_refused(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await clients_api.get("/api/v1/clients", params={"cursor": "bm9wZQ"}, headers=agent)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


async def test_the_openapi_names_every_problem_a_route_answers(
    clients_api: httpx.AsyncClient,
) -> None:
    spec = (await clients_api.get("/openapi.json")).json()
    patch = spec["paths"]["/api/v1/clients/{client_id}"]["patch"]
    assert patch["operationId"] == "clients-update-client"
    assert {"401", "403", "404", "412", "422", "428"} <= set(patch["responses"])
    problem = patch["responses"]["412"]["content"]["application/problem+json"]["schema"]
    assert "detail" in problem["required"]


async def test_lookup_by_several_legacy_ids(
    clients_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    held = [f"L-{_tag()}" for _ in range(2)]
    for external_id in held:
        await _create(clients_api, agent, external_id=external_id)
    response = await clients_api.get(
        "/api/v1/clients/by-external-ids",
        params=[("external_id", i) for i in [*held, "L-not-held"]],
        headers=agent,
    )
    assert response.status_code == 200, response.text
    assert sorted(c["external_id"] for c in response.json()) == sorted(held)
