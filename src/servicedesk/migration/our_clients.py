"""Our clients service, as the proxy calls it: the user's own token for what the user does,
the migration service's account for moving records."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from servicedesk.kernel.errors import ServiceUnavailable

CLIENTS = "/api/v1/clients"


class OurServiceFailed(ServiceUnavailable):
    code, title = "our-service-unavailable", "Our service unavailable"


class OurService:
    """Calls to one of our services; failures become 503 problems of the proxy."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def forward(
        self,
        method: str,
        path: str,
        auth: httpx.Auth,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A user's request passed on as it is; our service's answer, whatever it is, goes back."""
        try:
            return await self.http.request(method, path, auth=auth, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise OurServiceFailed(f"our service did not answer: {type(exc).__name__}") from exc

    stats_path = ""

    async def stats(self, auth: httpx.Auth) -> dict[str, int]:
        """How many records we hold, and how many came from the legacy system."""
        found: dict[str, int] = (await self._call("GET", self.stats_path, auth)).json()
        return found

    async def _call(
        self, method: str, path: str, auth: httpx.Auth, **kwargs: Any
    ) -> httpx.Response:
        try:
            response = await self.http.request(method, path, auth=auth, **kwargs)
        except httpx.HTTPError as exc:
            raise OurServiceFailed(f"our service did not answer: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise OurServiceFailed(
                f"our service answered {response.status_code} to {method} {path}"
            )
        return response


class OurClients(OurService):
    stats_path = f"{CLIENTS}/stats"

    async def search(self, query: str, limit: int, auth: httpx.Auth) -> list[dict[str, Any]]:
        response = await self._call(
            "GET", f"{CLIENTS}/search", auth, params={"q": query, "limit": limit}
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def held(self, external_ids: list[str], auth: httpx.Auth) -> dict[str, dict[str, Any]]:
        """The clients we hold among these legacy ids, by legacy id."""
        if not external_ids:
            return {}
        params = [("external_id", e) for e in external_ids]
        response = await self._call("GET", f"{CLIENTS}/by-external-ids", auth, params=params)
        return {c["external_id"]: c for c in response.json()}

    async def move_in(
        self, records: list[dict[str, Any]], auth: httpx.Auth
    ) -> list[dict[str, Any]]:
        """Creates the legacy records we lack; ones we hold already are kept as they are."""
        body = {"records": records, "on_existing": "keep"}
        response = await self._call("POST", f"{CLIENTS}/bulk-upsert", auth, json=body)
        results: list[dict[str, Any]] = response.json()
        return results


def client_path(client_id: uuid.UUID) -> str:
    return f"{CLIENTS}/{client_id}"
