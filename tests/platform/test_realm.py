"""The servicedesk realm as imported from the repository: roles, groups, claims, audiences."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from tests.support.infra import ISSUER, KEYCLOAK_URL
from tests.support.tokens import TokenShop, bearer

REALM_ADMIN = f"{KEYCLOAK_URL}/admin/realms/servicedesk"


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _audiences(claims: dict[str, Any]) -> set[str]:
    aud = claims.get("aud", [])
    return set(aud if isinstance(aud, list) else [aud])


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.mark.parametrize(
    ("user", "roles", "groups"),
    [
        ("agent1", {"agent"}, ["first-line"]),
        ("agent2", {"agent"}, ["second-line"]),
        ("supervisor1", {"agent", "supervisor"}, ["supervisors"]),
        ("admin1", {"agent", "supervisor", "admin"}, ["administrators"]),
        ("reporter1", {"reporter"}, ["reporters"]),
    ],
)
async def test_demo_users_carry_their_roles_groups_and_profile(
    tokens: TokenShop, user: str, roles: set[str], groups: list[str]
) -> None:
    response = await tokens.user(user)
    claims = _claims(response["access_token"])
    assert claims["iss"] == ISSUER
    assert roles <= set(claims["realm_access"]["roles"])
    assert claims["groups"] == groups
    assert claims["phone"].startswith("+7")
    assert claims["telegram_id"].isdigit()
    id_claims = _claims(response["id_token"])
    assert id_claims["phone"] == claims["phone"]
    if user == "reporter1":
        assert "agent" not in claims["realm_access"]["roles"]


async def test_web_tokens_are_meant_for_every_backend(tokens: TokenShop) -> None:
    claims = _claims(await tokens.access("agent1"))
    backends = {"tickets", "clients", "orders", "migration", "notifications", "web"}
    assert {f"servicedesk-{b}" for b in backends} <= _audiences(claims)
    assert "servicedesk-legacy" not in _audiences(claims)


@pytest.mark.parametrize(
    ("caller", "callees"),
    [
        ("migration", {"clients", "orders", "legacy"}),
        ("tickets", {"migration", "notifications"}),
        ("channels", {"tickets", "migration"}),
        ("notifications", {"tickets"}),
        ("analytics", {"tickets"}),
        ("orders", {"clients"}),
    ],
)
async def test_service_accounts_reach_the_services_they_call(
    tokens: TokenShop, caller: str, callees: set[str]
) -> None:
    claims = _claims(await tokens.service(caller))
    assert {f"servicedesk-{c}" for c in callees} <= _audiences(claims)
    assert "service" in claims["realm_access"]["roles"]


async def test_the_tickets_account_reads_users_and_groups_only(
    http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    headers = bearer(await tokens.service("tickets"))
    users = await http.get(f"{REALM_ADMIN}/users", params={"search": "agent"}, headers=headers)
    assert users.status_code == 200
    assert {"agent1", "agent2"} <= {u["username"] for u in users.json()}
    groups = await http.get(f"{REALM_ADMIN}/groups", headers=headers)
    assert {"first-line", "second-line"} <= {g["name"] for g in groups.json()}
    deleted = await http.delete(f"{REALM_ADMIN}/users/{users.json()[0]['id']}", headers=headers)
    assert deleted.status_code == 403


async def test_other_service_accounts_cannot_read_users(
    http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    response = await http.get(
        f"{REALM_ADMIN}/users", headers=bearer(await tokens.service("migration"))
    )
    assert response.status_code == 403


async def test_the_web_client_refuses_password_grants(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{ISSUER}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "servicedesk-web",
            "client_secret": "local-web-secret",
            "username": "agent1",
            "password": "demo",
        },
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "unauthorized_client"


async def test_the_web_client_requires_pkce(http: httpx.AsyncClient) -> None:
    response = await http.get(
        f"{ISSUER}/protocol/openid-connect/auth",
        params={
            "response_type": "code",
            "client_id": "servicedesk-web",
            "redirect_uri": "http://localhost:8000/auth/callback",
            "scope": "openid",
        },
    )
    assert response.status_code in (302, 303, 400)
    location = response.headers.get("location", "") + response.text
    assert "code_challenge" in location or "PKCE" in location or "pkce" in location
