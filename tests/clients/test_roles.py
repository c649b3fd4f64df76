"""Who may do what with clients: the role matrix."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.tokens import TokenShop, bearer

ACTIONS: dict[str, tuple[str, str, dict[str, object] | None]] = {
    "list": ("GET", "/api/v1/clients", None),
    "search": ("GET", "/api/v1/clients/search?q=ива", None),
    "create": ("POST", "/api/v1/clients", {"display_name": "Роль Тест", "kind": "person"}),
    "import": (
        "POST",
        "/api/v1/clients/bulk-upsert",
        {"records": [{"external_id": "L-roles", "display_name": "Роль", "kind": "person"}]},
    ),
}
PRINCIPALS = {
    "agent1": "user",
    "supervisor1": "user",
    "admin1": "user",
    "reporter1": "user",
    "migration": "service",
    "legacy": "service",
}
STAFF = {"agent1", "supervisor1", "admin1", "migration"}
ALLOWED = {"list": STAFF, "search": STAFF, "create": STAFF, "import": {"admin1", "migration"}}


async def _headers(tokens: TokenShop, who: str) -> dict[str, str]:
    if PRINCIPALS[who] == "service":
        return bearer(await tokens.service(who))
    return bearer(await tokens.access(who))


@pytest.mark.parametrize("who", list(PRINCIPALS))
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_role_matrix(
    clients_api: httpx.AsyncClient, tokens: TokenShop, who: str, action: str
) -> None:
    method, url, body = ACTIONS[action]
    if body and "display_name" in body:
        body = body | {"display_name": f"Роль Тест {uuid.uuid4().hex[:6]}"}
    response = await clients_api.request(
        method, url, json=body, headers=await _headers(tokens, who)
    )
    if who in ALLOWED[action]:
        assert response.status_code in (200, 201), response.text
    elif who == "legacy":
        assert response.status_code == 401, "legacy's tokens are not meant for clients"
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_no_token_no_entry(clients_api: httpx.AsyncClient) -> None:
    assert (await clients_api.get("/api/v1/clients")).status_code == 401
