"""Sign-out: RP-initiated at Keycloak, and back-channel logout tokens from Keycloak."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from redis.asyncio import Redis

from servicedesk.web.oidc import BACKCHANNEL_LOGOUT_EVENT
from tests.support.infra import ISSUER, KEYCLOAK_URL
from tests.support.live_web import LiveStack
from tests.web.browsing import csrf_token_in, sign_in, stored_session


async def test_sign_out_ends_the_session_here_and_at_keycloak(
    browser: httpx.AsyncClient, redis: Redis
) -> None:
    await sign_in(browser, "agent1")
    session = await stored_session(redis, browser)
    assert session is not None
    token = csrf_token_in((await browser.get("/profile")).text)
    response = await browser.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{ISSUER}/protocol/openid-connect/logout"
    )
    assert query["id_token_hint"] == session.id_token
    assert query["post_logout_redirect_uri"] == "http://localhost:8000/auth/signed-out"
    assert await redis.get(f"web:session:{session.key}") is None
    assert "sd_session" not in browser.cookies
    assert (await browser.get("/profile")).status_code == 303  # back to sign-in

    async with httpx.AsyncClient() as keycloak:  # the browser follows to Keycloak
        ended = await keycloak.get(response.headers["location"])
        assert ended.status_code == 302
        assert ended.headers["location"] == "http://localhost:8000/auth/signed-out"
        refresh = await keycloak.post(
            f"{ISSUER}/protocol/openid-connect/token",
            data={"grant_type": "refresh_token", "refresh_token": session.refresh_token},
            auth=("servicedesk-web", "local-web-secret"),
        )
    assert refresh.status_code == 400, "Keycloak's session must be over too"
    signed_out = await browser.get("/auth/signed-out")
    assert signed_out.status_code == 200
    assert "/auth/login" in signed_out.text


def _own_key_token(claims: dict[str, Any], kid: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _logout_claims(sid: str | None, sub: str) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "servicedesk-web",
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        "sub": sub,
        "typ": "Logout",
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    if sid:
        claims["sid"] = sid
    return claims


async def _realm_kid() -> str:
    async with httpx.AsyncClient() as http:
        keys = (await http.get(f"{ISSUER}/protocol/openid-connect/certs")).json()["keys"]
    return str(next(k["kid"] for k in keys if k.get("alg") == "RS256"))


@pytest.mark.parametrize("kid", ["realm", "unknown"])
async def test_a_logout_token_signed_with_another_key_is_refused(
    browser: httpx.AsyncClient, redis: Redis, kid: str
) -> None:
    await sign_in(browser, "agent1")
    session = await stored_session(redis, browser)
    assert session is not None
    key_id = await _realm_kid() if kid == "realm" else "not-a-realm-key"
    token = _own_key_token(_logout_claims(session.sid, session.user.subject), key_id)
    response = await browser.post("/auth/backchannel-logout", data={"logout_token": token})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert await stored_session(redis, browser) is not None


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        # alg "none": unsigned
        base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=") + ".e30.",
    ],
)
async def test_a_malformed_logout_token_is_refused(browser: httpx.AsyncClient, token: str) -> None:
    response = await browser.post("/auth/backchannel-logout", data={"logout_token": token})
    assert response.status_code == 400


async def test_an_id_token_is_no_logout_token(browser: httpx.AsyncClient, redis: Redis) -> None:
    await sign_in(browser, "agent1")
    session = await stored_session(redis, browser)
    assert session is not None
    assert session.id_token
    response = await browser.post(
        "/auth/backchannel-logout", data={"logout_token": session.id_token}
    )
    assert response.status_code == 400  # signed by the realm, but no logout event
    assert await stored_session(redis, browser) is not None


@pytest.fixture
async def keycloak_admin() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{KEYCLOAK_URL}/admin/realms/servicedesk") as admin:
        token = await admin.post(
            f"{KEYCLOAK_URL}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": "admin",
                "password": "local-admin",
            },
        )
        admin.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield admin


async def _signed_out_within(web: httpx.AsyncClient, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (await web.get("/profile")).status_code == 303:
            return True
        await asyncio.sleep(0.2)
    return False


@pytest.mark.parametrize("ended_by", ["session", "user"])
async def test_keycloak_ending_the_session_signs_the_console_out(
    live_stack: LiveStack, keycloak_admin: httpx.AsyncClient, redis: Redis, ended_by: str
) -> None:
    """Keycloak posts a real logout token to http://localhost:8000/auth/backchannel-logout."""
    async with httpx.AsyncClient(base_url=live_stack.web_url) as web:
        await sign_in(web, "supervisor1")
        session = await stored_session(redis, web)
        assert session is not None
        assert session.sid
        assert (await web.get("/profile")).status_code == 200
        if ended_by == "session":
            ended = await keycloak_admin.delete(f"/sessions/{session.sid}")
        else:
            ended = await keycloak_admin.post(f"/users/{session.user.subject}/logout")
        assert ended.status_code == 204, ended.text
        assert await _signed_out_within(web, 10), "the back-channel logout did not arrive"
        assert await redis.get(f"web:session:{session.key}") is None


async def test_a_back_channel_call_without_a_token_is_refused(browser: httpx.AsyncClient) -> None:
    response = await browser.post("/auth/backchannel-logout", data={})
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
