"""Our clients and orders services, as the proxy calls them: through the kernel's
`ServiceClient` (reads tried again on a dropped connection or a 502/503/504 within one deadline,
a breaker per service, call metrics, the request id passed on).

Two ways of calling: `forward` passes a user's request on and brings our service's answer back
whatever it is (our service validates and decides); the typed reads and moves expect success,
and any failure of our service (no answer, or an error status) becomes a 503 problem of the
proxy. Each call carries the `httpx.Auth` it is given: the caller's own token for what the
caller does, the migration service's account for moving records and for lookups.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from servicedesk.kernel.errors import ServiceUnavailable
from servicedesk.kernel.service_client import RetryPolicy, ServiceClient, TargetUnavailable
from servicedesk.migration.schemas import (
    ClientRecord,
    Forwarded,
    HeldStats,
    JsonObject,
    OrderRecord,
    OurClient,
    OurOrder,
    OurRecord,
    Upserted,
)

CLIENTS = "/api/v1/clients"
ORDERS = "/api/v1/orders"
PASSED_ON_HEADERS = frozenset({"etag", "location"})
CALL_DEADLINE_S = 5.0
RETRY = RetryPolicy(attempts=3, deadline_s=CALL_DEADLINE_S)
"""Every try of one call within the 5 s a single try had before the kernel's client."""
Record = TypeVar("Record", bound=BaseModel)
Held = TypeVar("Held", bound=OurRecord)
_UPSERTED = TypeAdapter(list[Upserted])


class OurServiceFailed(ServiceUnavailable):
    code, title = "our-service-unavailable", "Our service unavailable"


class OurService:
    """Calls to one of our services; failures become 503 problems of the proxy."""

    stats_path = ""

    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    @classmethod
    def at(cls, target: str, base_url: str, **options: Any) -> Self:
        """One for the service at `base_url` (`options` go to `ServiceClient`, e.g. transport)."""
        return cls(
            ServiceClient(target, base_url, timeout_s=CALL_DEADLINE_S, retry=RETRY, **options)
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def forward(
        self,
        method: str,
        path: str,
        auth: httpx.Auth,
        *,
        json: JsonObject | None = None,
        headers: dict[str, str] | None = None,
    ) -> Forwarded:
        """A request passed on as it is; our service's answer, whatever it is, comes back."""
        answer = await self._send(method, path, auth, json=json, headers=headers)
        return Forwarded(
            status_code=answer.status_code,
            content=answer.content,
            content_type=answer.headers.get("content-type"),
            headers={k: v for k, v in answer.headers.items() if k.lower() in PASSED_ON_HEADERS},
        )

    async def stats(self, auth: httpx.Auth) -> HeldStats:
        """How many records we hold, and how many came from the legacy system."""
        return HeldStats.model_validate_json(
            (await self._call("GET", self.stats_path, auth)).content
        )

    async def _one(self, model: type[Record], path: str, auth: httpx.Auth) -> Record | None:
        """One record by path; None when our service has no such record."""
        answer = await self._send("GET", path, auth)
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise OurServiceFailed(f"our service answered {answer.status_code} to GET {path}")
        return model.model_validate_json(answer.content)

    async def _send(
        self, method: str, path: str, auth: httpx.Auth, **kwargs: Any
    ) -> httpx.Response:
        try:
            return await self.http.request(method, path, auth=auth, **kwargs)
        except TargetUnavailable as exc:
            raise OurServiceFailed(f"our service did not answer: {exc.reason}") from exc
        except httpx.HTTPError as exc:
            raise OurServiceFailed(f"our service did not answer: {type(exc).__name__}") from exc

    async def _call(
        self, method: str, path: str, auth: httpx.Auth, **kwargs: Any
    ) -> httpx.Response:
        response = await self._send(method, path, auth, **kwargs)
        if response.status_code >= 400:
            raise OurServiceFailed(
                f"our service answered {response.status_code} to {method} {path}"
            )
        return response

    async def _items(
        self, model: type[Record], path: str, auth: httpx.Auth, params: Any
    ) -> tuple[list[Record], str | None]:
        """A list answer (`items`, and `next_cursor` where our service pages)."""
        body = (await self._call("GET", path, auth, params=params)).json()
        items = [model.model_validate(item) for item in body["items"]]
        return items, body.get("next_cursor")

    async def _held(
        self, model: type[Held], path: str, external_ids: Sequence[str], auth: httpx.Auth
    ) -> dict[str, Held]:
        if not external_ids:
            return {}
        params = [("external_id", e) for e in external_ids]
        found = (await self._call("GET", path, auth, params=params)).json()
        records = [model.model_validate(item) for item in found]
        return {r.external_id: r for r in records if r.external_id}


class OurClients(OurService):
    stats_path = f"{CLIENTS}/stats"

    async def search(self, query: str, limit: int, auth: httpx.Auth) -> list[OurClient]:
        params = {"q": query, "limit": limit}
        return (await self._items(OurClient, f"{CLIENTS}/search", auth, params))[0]

    async def page(
        self, cursor: str | None, limit: int, auth: httpx.Auth
    ) -> tuple[list[OurClient], str | None]:
        """A page of every client of ours, by name."""
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return await self._items(OurClient, CLIENTS, auth, params)

    async def get(self, client_id: uuid.UUID, auth: httpx.Auth) -> OurClient | None:
        return await self._one(OurClient, client_path(client_id), auth)

    async def held(self, external_ids: Sequence[str], auth: httpx.Auth) -> dict[str, OurClient]:
        """The clients we hold among these legacy ids, by legacy id."""
        return await self._held(OurClient, f"{CLIENTS}/by-external-ids", external_ids, auth)

    async def move_in(self, records: Sequence[ClientRecord], auth: httpx.Auth) -> list[Upserted]:
        """Creates the legacy records we lack; ones we hold already are kept as they are."""
        body = {"records": [r.model_dump(mode="json") for r in records], "on_existing": "keep"}
        response = await self._call("POST", f"{CLIENTS}/bulk-upsert", auth, json=body)
        return _UPSERTED.validate_json(response.content)

    async def create(self, body: JsonObject, auth: httpx.Auth) -> Forwarded:
        return await self.forward("POST", CLIENTS, auth, json=body)

    async def edit(
        self, client_id: uuid.UUID, patch: JsonObject, if_match: str | None, auth: httpx.Auth
    ) -> Forwarded:
        headers = {"If-Match": if_match} if if_match else None
        path = client_path(client_id)
        return await self.forward("PATCH", path, auth, json=patch, headers=headers)


class OurOrders(OurService):
    stats_path = f"{ORDERS}/stats"

    async def of_client(self, client_id: uuid.UUID, limit: int, auth: httpx.Auth) -> list[OurOrder]:
        params = {"client_id": str(client_id), "limit": limit}
        return (await self._items(OurOrder, ORDERS, auth, params))[0]

    async def search(self, query: str, limit: int, auth: httpx.Auth) -> list[OurOrder]:
        params = {"q": query, "limit": limit}
        return (await self._items(OurOrder, f"{ORDERS}/search", auth, params))[0]

    async def page(
        self, cursor: str | None, limit: int, auth: httpx.Auth
    ) -> tuple[list[OurOrder], str | None]:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return await self._items(OurOrder, ORDERS, auth, params)

    async def get(self, order_id: uuid.UUID, auth: httpx.Auth) -> OurOrder | None:
        return await self._one(OurOrder, f"{ORDERS}/{order_id}", auth)

    async def by_external_id(self, external_id: str, auth: httpx.Auth) -> OurOrder | None:
        return await self._one(OurOrder, f"{ORDERS}/by-external-id/{external_id}", auth)

    async def held(self, external_ids: Sequence[str], auth: httpx.Auth) -> dict[str, OurOrder]:
        return await self._held(OurOrder, f"{ORDERS}/by-external-ids", external_ids, auth)

    async def move_in(self, records: Sequence[OrderRecord], auth: httpx.Auth) -> list[Upserted]:
        """Creates the legacy orders we lack (their clients must be ours already)."""
        body = {"records": [r.model_dump(mode="json") for r in records]}
        response = await self._call("POST", f"{ORDERS}/bulk-upsert", auth, json=body)
        return _UPSERTED.validate_json(response.content)

    async def create(self, body: JsonObject, auth: httpx.Auth) -> Forwarded:
        return await self.forward("POST", ORDERS, auth, json=body)


def client_path(client_id: uuid.UUID) -> str:
    return f"{CLIENTS}/{client_id}"
