"""Sign-in through Keycloak's real login page: the code flow with PKCE, state and nonce, the
session cookie, and what is refused."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from redis.asyncio import Redis

from servicedesk.ops.keycloak_login import login_at_authorization_url
from servicedesk.web.signin import safe_next
from tests.support.tokens import DEMO_PASSWORD
from tests.web.browsing import sign_in, start_sign_in, state_of, stored_session


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/incidents?status=new")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=%2Fincidents%3Fstatus%3Dnew"


async def test_an_htmx_request_without_a_session_is_told_to_navigate(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get(
        "/incidents",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost:8000/profile"},
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/auth/login?next=%2Fprofile"


async def test_sign_in_starts_at_keycloak_with_pkce_state_and_nonce(
    browser: httpx.AsyncClient,
) -> None:
    authorization_url = await start_sign_in(browser)
    parts = urlsplit(authorization_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "http://localhost:8080/realms/servicedesk/protocol/openid-connect/auth"
    )
    assert query["response_type"] == "code"
    assert query["client_id"] == "servicedesk-web"
    assert query["redirect_uri"] == "http://localhost:8000/auth/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    assert "openid" in query["scope"].split()


async def test_sign_in_through_keycloak_ends_in_a_session_cookie(
    browser: httpx.AsyncClient, redis: Redis
) -> None:
    response = await sign_in(browser, "agent1", next_url="/profile")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/profile"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sd_session="))
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # http://localhost; https public URLs get Secure
    session = await stored_session(redis, browser)
    assert session is not None
    assert session.user.username == "agent1"
    assert session.user.name == "Иван Петров"
    assert "agent" in session.user.roles
    assert session.user.groups == ("first-line",)
    assert session.sid
    assert session.refresh_token
    assert session.id_token
    assert browser.cookies["sd_session"].encode() not in await redis.get(
        f"web:session:{session.key}"
    )
    assert session.key.encode() in await redis.smembers(f"web:sid:{session.sid}")
    profile = await browser.get("/profile")
    assert profile.status_code == 200
    assert "Иван Петров" in profile.text
    assert "+79160000001" in profile.text


async def test_a_callback_with_an_unknown_state_is_refused(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/auth/callback?code=made-up&state=made-up")
    assert response.status_code == 400
    assert "sd_session" not in browser.cookies


async def test_a_callback_is_used_once(browser: httpx.AsyncClient) -> None:
    authorization_url = await start_sign_in(browser)
    back = await login_at_authorization_url(authorization_url, "agent1", DEMO_PASSWORD)
    assert (await browser.get(back)).status_code == 303
    assert (await browser.get(back)).status_code == 400


async def test_a_sign_in_finished_in_another_browser_is_refused(
    browser: httpx.AsyncClient, web_app: object
) -> None:
    authorization_url = await start_sign_in(browser)
    back = await login_at_authorization_url(authorization_url, "agent1", DEMO_PASSWORD)
    transport = httpx.ASGITransport(app=web_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as other:
        response = await other.get(back)  # a victim handed the attacker's callback link
        assert response.status_code == 400
        assert "sd_session" not in other.cookies


async def _tamper(redis: Redis, authorization_url: str, **changes: str) -> None:
    key = f"web:login:{state_of(authorization_url)}"
    attempt = json.loads(await redis.get(key))
    await redis.set(key, json.dumps(attempt | changes), ex=600)


async def test_an_id_token_with_another_nonce_is_refused(
    browser: httpx.AsyncClient, redis: Redis
) -> None:
    authorization_url = await start_sign_in(browser)
    await _tamper(redis, authorization_url, nonce="not-the-nonce-sent-to-keycloak")
    back = await login_at_authorization_url(authorization_url, "agent1", DEMO_PASSWORD)
    response = await browser.get(back)
    assert response.status_code == 400
    assert "sd_session" not in browser.cookies


async def test_a_code_exchanged_with_another_pkce_verifier_is_refused(
    browser: httpx.AsyncClient, redis: Redis
) -> None:
    authorization_url = await start_sign_in(browser)
    await _tamper(redis, authorization_url, verifier="x" * 64)
    back = await login_at_authorization_url(authorization_url, "agent1", DEMO_PASSWORD)
    response = await browser.get(back)
    assert response.status_code == 400  # Keycloak refused the code: PKCE verification failed
    assert "sd_session" not in browser.cookies


async def test_an_error_from_keycloak_is_shown(browser: httpx.AsyncClient) -> None:
    authorization_url = await start_sign_in(browser)
    state = state_of(authorization_url)
    response = await browser.get(f"/auth/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "access_denied" in response.text


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/incidents?status=new", "/incidents?status=new"),
        ("/profile", "/profile"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/auth/logout", "/"),
        ("/incidents\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_only_same_site_relative_paths_are_returned_to(asked: str, kept: str) -> None:
    assert safe_next(asked) == kept


async def test_the_access_token_is_refreshed_shortly_before_it_expires(
    browser: httpx.AsyncClient, redis: Redis
) -> None:
    await sign_in(browser, "agent2")
    before = await stored_session(redis, browser)
    assert before is not None
    nearly_expired = before.model_copy(update={"access_expires_at": time.time() + 10})
    await redis.set(f"web:session:{before.key}", nearly_expired.model_dump_json(), ex=600)
    assert (await browser.get("/profile")).status_code == 200
    after = await stored_session(redis, browser)
    assert after is not None
    assert after.access_token != before.access_token
    assert after.access_expires_at > time.time() + 200
    assert after.csrf_token == before.csrf_token
    assert after.key == before.key


async def test_a_refused_refresh_ends_the_session(browser: httpx.AsyncClient, redis: Redis) -> None:
    await sign_in(browser, "agent2")
    session = await stored_session(redis, browser)
    assert session is not None
    broken = session.model_copy(
        update={"access_expires_at": time.time() - 1, "refresh_token": "not-a-refresh-token"}
    )
    await redis.set(f"web:session:{session.key}", broken.model_dump_json(), ex=600)
    response = await browser.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=%2Fprofile"
    assert await stored_session(redis, browser) is None


async def test_an_authorization_response_from_another_issuer_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    authorization_url = await start_sign_in(browser)
    back = await login_at_authorization_url(authorization_url, "agent1", DEMO_PASSWORD)
    assert "iss=" in back  # Keycloak names itself (RFC 9207)
    mixed_up = re.sub(r"iss=[^&]+", "iss=http%3A%2F%2Fevil.example%2Frealms%2Fservicedesk", back)
    response = await browser.get(mixed_up)
    assert response.status_code == 400
    assert "sd_session" not in browser.cookies
