"""Real Keycloak tokens for tests, logged in once per user and reused until close to expiry."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from servicedesk.ops.keycloak_login import client_credentials_token, login_with_browser_flow

DEMO_PASSWORD = "demo"


@dataclass
class _Cached:
    response: dict[str, Any]
    expires_at: float


class TokenShop:
    def __init__(self) -> None:
        self._cache: dict[str, _Cached] = {}

    async def user(self, username: str) -> dict[str, Any]:
        """The token response (access_token, id_token, refresh_token) of a demo user."""
        return await self._get(username, lambda: login_with_browser_flow(username, DEMO_PASSWORD))

    async def access(self, username: str) -> str:
        return str((await self.user(username))["access_token"])

    async def service(self, name: str) -> str:
        client = f"servicedesk-{name}"
        response = await self._get(
            client, lambda: client_credentials_token(client, f"local-{name}-secret")
        )
        return str(response["access_token"])

    async def _get(self, key: str, fetch: Any) -> dict[str, Any]:
        cached = self._cache.get(key)
        if cached is None or cached.expires_at < time.monotonic():
            response = await fetch()
            expires_at = time.monotonic() + float(response["expires_in"]) - 60
            cached = self._cache[key] = _Cached(response, expires_at)
        return cached.response


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
