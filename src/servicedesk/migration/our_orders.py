"""Our orders service, as the proxy calls it (same conventions as `our_clients`)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from servicedesk.migration.our_clients import OurService, OurServiceFailed

ORDERS = "/api/v1/orders"


class OurOrders(OurService):
    stats_path = f"{ORDERS}/stats"

    async def of_client(
        self, client_id: uuid.UUID, limit: int, auth: httpx.Auth
    ) -> list[dict[str, Any]]:
        params = {"client_id": str(client_id), "limit": limit}
        response = await self._call("GET", ORDERS, auth, params=params)
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def by_external_id(self, external_id: str, auth: httpx.Auth) -> dict[str, Any] | None:
        response = await self.forward("GET", f"{ORDERS}/by-external-id/{external_id}", auth)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise OurServiceFailed(f"our orders service answered {response.status_code}")
        found: dict[str, Any] = response.json()
        return found

    async def move_in(
        self, records: list[dict[str, Any]], auth: httpx.Auth
    ) -> list[dict[str, Any]]:
        """Creates the legacy orders we lack (their clients must be ours already)."""
        response = await self._call(
            "POST", f"{ORDERS}/bulk-upsert", auth, json={"records": records}
        )
        results: list[dict[str, Any]] = response.json()
        return results
