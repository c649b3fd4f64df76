"""Access tokens from the real Keycloak: what passes, what is refused (401) and who may (403)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import APIRouter
from pydantic import SecretStr

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.auth import InvalidToken, JwksCache, TokenValidator, roles_alias
from servicedesk.kernel.settings import KeycloakSettings, ServiceSettings
from servicedesk.kernel.state import kernel_state
from servicedesk.ops.keycloak_login import client_credentials_token
from tests.support.apps import serve
from tests.support.infra import ISSUER, KEYCLOAK_URL
from tests.support.tokens import TokenShop, bearer

AUDIENCE = "servicedesk-tickets"
JWKS_URL = f"{ISSUER}/protocol/openid-connect/certs"
AdminOnly = roles_alias("admin")
AgentOrAbove = roles_alias("agent", "supervisor", "admin")
probe = APIRouter(prefix="/probe", tags=["probe"])


@probe.get("/agents")
async def for_agents(principal: AgentOrAbove) -> dict[str, str]:
    return {"username": principal.username}


@probe.get("/admins")
async def for_admins(principal: AdminOnly) -> dict[str, str]:
    return {"username": principal.username}


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    keycloak = KeycloakSettings(client_id=AUDIENCE, client_secret=SecretStr("unused"))
    spec = ServiceSpec(
        name="authprobe",
        title="auth probe",
        settings=ServiceSettings(),
        keycloak=keycloak,
        routers=[probe],
        uses_redis=False,
        uses_broker=False,
    )
    async with serve(create_service_app(spec)) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _validator(http: httpx.AsyncClient, **overrides: Any) -> TokenValidator:
    options = {"issuer": ISSUER, "audience": AUDIENCE, "leeway_s": 0} | overrides
    return TokenValidator(jwks=JwksCache(JWKS_URL, http, ttl_s=600), **options)


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def _assert_rejected(api: httpx.AsyncClient, token: str, reason: str) -> None:
    response = await api.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert reason in response.json()["detail"]


async def test_a_real_access_token_passes(api: httpx.AsyncClient, tokens: TokenShop) -> None:
    response = await api.get("/api/v1/me", headers=bearer(await tokens.access("agent1")))
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["username"] == "agent1"
    assert "agent" in me["roles"]
    assert me["groups"] == ["first-line"]
    assert me["phone"].startswith("+")
    assert me["telegram_id"].isdigit()
    assert me["is_service"] is False


async def test_a_service_account_token_passes(api: httpx.AsyncClient, tokens: TokenShop) -> None:
    response = await api.get("/api/v1/me", headers=bearer(await tokens.service("channels")))
    assert response.status_code == 200, response.text
    assert response.json()["is_service"] is True
    assert "service" in response.json()["roles"]


async def test_missing_token_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_wrong_audience_is_refused(tokens: TokenShop) -> None:
    keycloak = KeycloakSettings(client_id="servicedesk-legacy", client_secret=SecretStr("x"))
    spec = ServiceSpec(
        name="legacyprobe",
        title="probe",
        settings=ServiceSettings(),
        keycloak=keycloak,
        uses_redis=False,
        uses_broker=False,
    )
    async with serve(create_service_app(spec)) as legacy:
        await _assert_rejected(legacy, await tokens.access("agent1"), "not meant for")


async def test_wrong_issuer_is_refused(http: httpx.AsyncClient, tokens: TokenShop) -> None:
    validator = _validator(http, issuer=f"{KEYCLOAK_URL}/realms/master")
    with pytest.raises(InvalidToken, match="another issuer"):
        await validator.validate(await tokens.access("agent1"))


async def test_a_token_of_another_realm_is_refused(
    api: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await _assert_rejected(api, await _admin_token(http), "signing key")


async def _admin_token(http: httpx.AsyncClient) -> str:
    response = await http.post(
        f"{KEYCLOAK_URL}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": "admin",
            "password": "local-admin",
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.fixture
async def short_lived_token(http: httpx.AsyncClient) -> AsyncIterator[str]:
    """A real token from a throwaway client whose access tokens live four seconds (long enough
    to be checked once as valid on a busy machine, short enough to wait out)."""
    client_id = f"test-short-lived-{uuid.uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {await _admin_token(http)}"}
    clients_url = f"{KEYCLOAK_URL}/admin/realms/servicedesk/clients"
    audience_mapper = {
        "name": "audience",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper",
        "config": {"included.client.audience": AUDIENCE, "access.token.claim": "true"},
    }
    created = await http.post(
        clients_url,
        headers=admin,
        json={
            "clientId": client_id,
            "secret": "test-secret",
            "publicClient": False,
            "serviceAccountsEnabled": True,
            "standardFlowEnabled": False,
            "attributes": {"access.token.lifespan": "4"},
            "protocolMappers": [audience_mapper],
        },
    )
    created.raise_for_status()
    try:
        token = await client_credentials_token(client_id, "test-secret")
        yield str(token["access_token"])
    finally:
        location = created.headers["location"]
        await http.delete(location, headers=admin)


async def test_expired_token_is_refused(http: httpx.AsyncClient, short_lived_token: str) -> None:
    validator = _validator(http)
    await validator.validate(short_lived_token)
    expires = jwt.decode(short_lived_token, options={"verify_signature": False})["exp"]
    await asyncio.sleep(max(0.0, expires - time.time()) + 1.1)
    with pytest.raises(InvalidToken, match="expired"):
        await validator.validate(short_lived_token)


async def test_tampered_signature_is_refused(api: httpx.AsyncClient, tokens: TokenShop) -> None:
    header, payload, signature = _segments(await tokens.access("agent1"))
    claims = _claims(f"{header}.{payload}.{signature}")
    claims["realm_access"] = {"roles": ["admin"]}
    await _assert_rejected(
        api, f"{header}.{_b64(claims)}.{signature}", "Signature verification failed"
    )


async def test_alg_none_is_refused(api: httpx.AsyncClient, tokens: TokenShop) -> None:
    token = await tokens.access("agent1")
    header = jwt.get_unverified_header(token) | {"alg": "none"}
    await _assert_rejected(api, f"{_b64(header)}.{_segments(token)[1]}.", "'none'")


async def test_hs256_signed_with_the_public_key_is_refused(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    token = await tokens.access("agent1")
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = (await http.get(JWKS_URL)).json()["keys"]
    public_jwk = next(k for k in jwks if k["kid"] == kid)
    public_pem = jwt.PyJWK(public_jwk).key.public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    _, payload, _ = _segments(token)
    forged_header = _b64(jwt.get_unverified_header(token) | {"alg": "HS256"})
    mac = hmac.new(public_pem, f"{forged_header}.{payload}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    await _assert_rejected(api, f"{forged_header}.{payload}.{signature}", "'HS256'")


async def test_an_id_token_is_not_an_access_token(
    http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    id_token = (await tokens.user("agent1"))["id_token"]
    validator = _validator(http, audience="servicedesk-web")
    with pytest.raises(InvalidToken, match="not an access token"):
        await validator.validate(id_token)


async def test_jwks_is_fetched_once_and_again_only_for_an_unknown_key(
    http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    validator = _validator(http)
    for user in ("agent1", "supervisor1", "admin1"):
        await validator.validate(await tokens.access(user))
    assert validator.jwks.fetches == 1
    token = await tokens.access("agent1")
    header = jwt.get_unverified_header(token) | {"kid": "rotated-away"}
    forged = f"{_b64(header)}.{_segments(token)[1]}.{_segments(token)[2]}"
    validator.jwks.min_refetch_s = 0
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await validator.validate(forged)
    assert validator.jwks.fetches == 2


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("agent1", "/probe/agents", 200),
        ("agent1", "/probe/admins", 403),
        ("supervisor1", "/probe/agents", 200),
        ("supervisor1", "/probe/admins", 403),
        ("admin1", "/probe/agents", 200),
        ("admin1", "/probe/admins", 200),
        ("reporter1", "/probe/agents", 403),
        ("reporter1", "/probe/admins", 403),
    ],
)
async def test_role_checks(
    api: httpx.AsyncClient, tokens: TokenShop, user: str, path: str, status: int
) -> None:
    response = await api.get(path, headers=bearer(await tokens.access(user)))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.headers["content-type"] == "application/problem+json"
        assert "required" in response.json()["detail"]


async def test_keys_are_kept_while_keycloak_is_unreachable(
    http: httpx.AsyncClient, tokens: TokenShop
) -> None:
    validator = _validator(http)
    token = await tokens.access("agent1")
    await validator.validate(token)
    validator.jwks.jwks_url = "http://127.0.0.1:9/certs"
    validator.jwks._fetched_at -= validator.jwks.ttl_s + validator.jwks.min_refetch_s
    principal = await validator.validate(token)
    assert principal.username == "agent1"


async def test_no_keys_and_no_keycloak_is_a_503(api: httpx.AsyncClient, tokens: TokenShop) -> None:
    validator = kernel_state(api._transport.app).token_validator  # type: ignore[attr-defined]
    unreachable = JwksCache("http://127.0.0.1:9/certs", validator.jwks.http, ttl_s=600)
    original, validator.jwks = validator.jwks, unreachable
    validator._passed.clear()
    try:
        response = await api.get("/api/v1/me", headers=bearer(await tokens.access("agent1")))
    finally:
        validator.jwks = original
    assert response.status_code == 503
    assert response.json()["title"] == "Identity provider unavailable"
