"""The interfaces the use cases see the outside systems through, and the two sides they work
with: the legacy system (its API, the cache of what it answered, the breaker around it) and
ours (the clients and orders services, and the migration service's own account).

`adapters` holds the real implementations; tests may pass any object of the same shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from servicedesk.kernel.breaker import BreakerState
from servicedesk.migration.adapters.legacy_api import LegacyCustomer, LegacyOrder, LegacyPage
from servicedesk.migration.adapters.legacy_cache import Cached
from servicedesk.migration.schemas import (
    ClientRecord,
    Forwarded,
    HeldStats,
    JsonObject,
    OrderRecord,
    OurClient,
    OurOrder,
    Upserted,
)


class LegacyApi(Protocol):
    """The legacy Clients/Orders system's reads; failures raise `LegacyUnavailable`."""

    async def search_customers(
        self, name: str | None = None, offset: int = 0, count: int = 50
    ) -> LegacyPage[LegacyCustomer]: ...

    async def get_customer(self, customer_id: int) -> LegacyCustomer | None: ...

    async def list_orders(
        self,
        customer_id: int | None = None,
        number: str | None = None,
        offset: int = 0,
        count: int = 50,
    ) -> LegacyPage[LegacyOrder]: ...

    async def get_order(self, order_id: int) -> LegacyOrder | None: ...


class LegacyRecords(Protocol):
    """The cache of what the legacy system answered (JSON objects; None: it has no such record)."""

    async def get_or_fetch(
        self, key: str, fetch: Callable[[], Awaitable[JsonObject | None]]
    ) -> Cached: ...

    async def peek(self, key: str) -> Cached | None: ...

    async def remember(self, key: str, value: JsonObject | None, fetched_at: float) -> None: ...


class Breaker(Protocol):
    """The circuit breaker around the legacy system, shared by every replica."""

    @property
    def open_s(self) -> float: ...

    async def allow(self) -> bool: ...

    async def record_success(self) -> None: ...

    async def record_failure(self) -> None: ...

    async def state(self) -> BreakerState: ...


class OurClientsApi(Protocol):
    async def search(self, query: str, limit: int, auth: httpx.Auth) -> list[OurClient]: ...

    async def page(
        self, cursor: str | None, limit: int, auth: httpx.Auth
    ) -> tuple[list[OurClient], str | None]: ...

    async def get(self, client_id: uuid.UUID, auth: httpx.Auth) -> OurClient | None: ...

    async def held(self, external_ids: Sequence[str], auth: httpx.Auth) -> dict[str, OurClient]: ...

    async def move_in(
        self, records: Sequence[ClientRecord], auth: httpx.Auth
    ) -> list[Upserted]: ...

    async def create(self, body: JsonObject, auth: httpx.Auth) -> Forwarded: ...

    async def edit(
        self, client_id: uuid.UUID, patch: JsonObject, if_match: str | None, auth: httpx.Auth
    ) -> Forwarded: ...

    async def stats(self, auth: httpx.Auth) -> HeldStats: ...

    async def aclose(self) -> None: ...


class OurOrdersApi(Protocol):
    async def of_client(
        self, client_id: uuid.UUID, limit: int, auth: httpx.Auth
    ) -> list[OurOrder]: ...

    async def search(self, query: str, limit: int, auth: httpx.Auth) -> list[OurOrder]: ...

    async def page(
        self, cursor: str | None, limit: int, auth: httpx.Auth
    ) -> tuple[list[OurOrder], str | None]: ...

    async def get(self, order_id: uuid.UUID, auth: httpx.Auth) -> OurOrder | None: ...

    async def by_external_id(self, external_id: str, auth: httpx.Auth) -> OurOrder | None: ...

    async def held(self, external_ids: Sequence[str], auth: httpx.Auth) -> dict[str, OurOrder]: ...

    async def move_in(self, records: Sequence[OrderRecord], auth: httpx.Auth) -> list[Upserted]: ...

    async def create(self, body: JsonObject, auth: httpx.Auth) -> Forwarded: ...

    async def stats(self, auth: httpx.Auth) -> HeldStats: ...

    async def aclose(self) -> None: ...


@dataclass
class LegacySide:
    client: LegacyApi
    cache: LegacyRecords
    breaker: Breaker


@dataclass
class Ours:
    clients: OurClientsApi
    orders: OurOrdersApi
    service_auth: httpx.Auth  # the migration service's own account: moving is its job
