"""What the notifications' end-to-end tests share: people's API clients on the live stack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer

T = TypeVar("T")


class Desk:
    """The tickets and notifications APIs as demo people use them."""

    def __init__(self, stack: LiveStack, tokens: TokenShop) -> None:
        self.stack = stack
        self.tokens = tokens
        self.http = httpx.AsyncClient(timeout=15)

    async def headers(self, username: str) -> dict[str, str]:
        return bearer(await self.tokens.access(username))

    async def tickets(self, method: str, path: str, username: str, **kw: Any) -> httpx.Response:
        headers = {**await self.headers(username), **kw.pop("headers", {})}
        return await self.http.request(
            method, f"{self.stack.tickets_url}{path}", headers=headers, **kw
        )

    async def notes(self, method: str, path: str, username: str, **kw: Any) -> httpx.Response:
        headers = {**await self.headers(username), **kw.pop("headers", {})}
        return await self.http.request(
            method, f"{self.stack.notifications_url}{path}", headers=headers, **kw
        )

    async def notifications_of(self, username: str) -> list[dict[str, Any]]:
        response = await self.notes("GET", "/api/v1/notifications?limit=100", username)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def about(self, username: str, key: str, timeout_s: float = 10) -> list[dict[str, Any]]:
        """The person's notifications about `key`, waiting until there is at least one."""
        return await eventually(
            lambda: self._about(username, key), timeout_s, f"{username} hears of {key}"
        )

    async def _about(self, username: str, key: str) -> list[dict[str, Any]] | None:
        found = [n for n in await self.notifications_of(username) if n["key"] == key]
        return found or None


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout_s: float, what: str) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {what}")
        await asyncio.sleep(0.2)


@pytest.fixture
async def desk(live_stack: LiveStack, tokens: TokenShop) -> AsyncIterator[Desk]:
    desk = Desk(live_stack, tokens)
    await _back_to_defaults(desk)  # earlier tests may have changed them
    yield desk
    await _back_to_defaults(desk)
    await desk.http.aclose()


async def _back_to_defaults(desk: Desk) -> None:
    """Everyone's preferences back to their role's defaults."""
    for username in ("agent1", "agent2", "supervisor1", "reporter1"):
        await desk.notes("DELETE", "/api/v1/preferences", username)
