"""The clients service answers in the reader's language (Accept-Language), English by default."""

from __future__ import annotations

import uuid

import httpx

from tests.support.tokens import TokenShop, bearer


async def test_a_missing_client_and_a_wrong_tax_id_in_russian_and_english(
    clients_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = bearer(await tokens.access("agent1"))
    missing = f"/api/v1/clients/{uuid.uuid4()}"
    english = await clients_api.get(missing, headers=agent)
    russian = await clients_api.get(missing, headers={**agent, "Accept-Language": "ru-RU,ru"})
    assert english.status_code == russian.status_code == 404
    assert english.json()["detail"].endswith("does not exist")
    assert russian.json()["detail"].startswith("клиента ")
    assert russian.json()["detail"].endswith(" нет")
    assert russian.headers["content-language"] == "ru"

    body = {"display_name": "ООО «Проверка»", "kind": "company", "tax_id": "500100732259"}
    refused = await clients_api.post(
        "/api/v1/clients", json=body, headers={**agent, "Accept-Language": "ru"}
    )
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert error["field"] == "tax_id"
    assert "цифр" in error["reason"], error
