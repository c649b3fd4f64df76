"""Unsafe requests pass only from our own pages: the session's token, our own origin."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis

from tests.web.browsing import csrf_token_in, session_key, sign_in, stored_session


@pytest.fixture
async def signed_in(browser: httpx.AsyncClient) -> str:
    """Signs agent1 in; returns the CSRF token the pages carry."""
    await sign_in(browser, "agent1")
    page = await browser.get("/profile")
    return csrf_token_in(page.text)


async def _assert_refused(
    response: httpx.Response, redis: Redis, browser: httpx.AsyncClient
) -> None:
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert await stored_session(redis, browser) is not None, "the session must survive"


async def test_a_form_without_the_token_is_refused(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str
) -> None:
    response = await browser.post("/auth/logout", data={})
    await _assert_refused(response, redis, browser)
    assert "не прошёл проверку" in response.text


async def test_a_form_with_a_wrong_token_is_refused(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str
) -> None:
    response = await browser.post("/auth/logout", data={"csrf_token": "x" + signed_in[1:]})
    await _assert_refused(response, redis, browser)


async def test_a_wrong_header_token_is_refused(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str
) -> None:
    response = await browser.post("/auth/logout", headers={"X-CSRF-Token": "wrong"})
    await _assert_refused(response, redis, browser)


async def test_a_cross_origin_request_is_refused_even_with_the_token(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str
) -> None:
    response = await browser.post(
        "/auth/logout",
        data={"csrf_token": signed_in},
        headers={"Origin": "http://evil.example"},
    )
    await _assert_refused(response, redis, browser)


async def test_a_cross_site_fetch_without_origin_is_refused(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str
) -> None:
    response = await browser.post(
        "/auth/logout", data={"csrf_token": signed_in}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    await _assert_refused(response, redis, browser)


async def test_an_unsafe_request_without_a_session_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.post("/auth/logout", data={"csrf_token": "anything"})
    assert response.status_code == 403


@pytest.mark.parametrize("how", ["form", "multipart", "header"])
async def test_the_right_token_from_our_origin_passes(
    browser: httpx.AsyncClient, redis: Redis, signed_in: str, how: str
) -> None:
    origin = {"Origin": "http://localhost:8000", "Sec-Fetch-Site": "same-origin"}
    key = session_key(browser)
    if how == "form":
        response = await browser.post(
            "/auth/logout", data={"csrf_token": signed_in}, headers=origin
        )
    elif how == "multipart":
        response = await browser.post(
            "/auth/logout",
            data={"csrf_token": signed_in},
            files={"note": ("note.txt", b"hello")},
            headers=origin,
        )
    else:
        response = await browser.post("/auth/logout", headers=origin | {"X-CSRF-Token": signed_in})
    assert response.status_code == 303, response.text
    assert await redis.get(key) is None
