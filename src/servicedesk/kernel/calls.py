"""Calls to other services: client-credentials tokens cached until expiry, request id passed on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator

import httpx

from servicedesk.kernel.context import REQUEST_ID_HEADER, current_request_id
from servicedesk.kernel.settings import KeycloakSettings


class ClientCredentials(httpx.Auth):
    """This service's token from Keycloak, fetched once and reused until shortly before expiry;
    a 401 with it (revoked, keys rotated) fetches a new one and sends the request once more."""

    def __init__(self, keycloak: KeycloakSettings, http: httpx.AsyncClient, margin_s: float = 30):
        self.keycloak = keycloak
        self.http = http
        self.margin_s = margin_s
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            response = await self.http.post(
                self.keycloak.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.keycloak.client_id,
                    "client_secret": self.keycloak.client_secret.get_secret_value(),
                },
                timeout=10,
            )
            response.raise_for_status()
            body = response.json()
            self.fetches += 1
            self._token = str(body["access_token"])
            lifetime = float(body["expires_in"])
            self._expires_at = time.monotonic() + max(lifetime - self.margin_s, lifetime / 2)
            return self._token

    def forget(self, token: str) -> None:
        """The target refused this token: the next call fetches a new one."""
        if self._token == token:
            self._token, self._expires_at = None, 0.0

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            self.forget(token)
            request.headers["Authorization"] = f"Bearer {await self.token()}"
            yield request


class UserToken(httpx.Auth):
    """Forwards the signed-in user's own access token, so the called service checks their roles."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


async def _pass_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def service_client(
    base_url: str,
    auth: httpx.Auth | None = None,
    timeout_s: float = 5.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A plain HTTP client for another service that carries the current request id on every
    call; `ServiceClient` (kernel.service_client) adds retries, a breaker and metrics."""
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        timeout=timeout_s,
        transport=transport,
        event_hooks={"request": [_pass_request_id]},
    )
