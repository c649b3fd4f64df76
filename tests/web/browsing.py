"""Sign-in through the console and Keycloak's real login page, driven over HTTP."""

from __future__ import annotations

import hashlib
import re

import httpx
from redis.asyncio import Redis

from servicedesk.ops.keycloak_login import login_at_authorization_url
from servicedesk.web.sessions import WebSession
from tests.support.tokens import DEMO_PASSWORD


async def start_sign_in(browser: httpx.AsyncClient, next_url: str = "/incidents") -> str:
    """Asks the console to sign in; returns Keycloak's authorization URL it redirects to."""
    response = await browser.get("/auth/login", params={"next": next_url})
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def sign_in(
    browser: httpx.AsyncClient, username: str, next_url: str = "/incidents"
) -> httpx.Response:
    """The whole sign-in; returns the console's answer to Keycloak's redirect back."""
    authorization_url = await start_sign_in(browser, next_url)
    back = await login_at_authorization_url(authorization_url, username, DEMO_PASSWORD)
    return await browser.get(back)


def state_of(authorization_url: str) -> str:
    found = re.search(r"[?&]state=([^&]+)", authorization_url)
    assert found, authorization_url
    return found.group(1)


def session_key(browser: httpx.AsyncClient) -> str:
    cookie = browser.cookies.get("sd_session")
    assert cookie, "no session cookie"
    return f"web:session:{hashlib.sha256(cookie.encode()).hexdigest()}"


async def stored_session(redis: Redis, browser: httpx.AsyncClient) -> WebSession | None:
    raw = await redis.get(session_key(browser))
    return WebSession.model_validate_json(raw) if raw else None


def csrf_token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)
