"""The proxy's parts, built from settings: used by the service and by the backfill command."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from servicedesk.kernel.calls import ClientCredentials, service_client
from servicedesk.migration.breaker import CircuitBreaker
from servicedesk.migration.cache import LegacyCache
from servicedesk.migration.legacy_client import LegacyClient
from servicedesk.migration.moving import LegacySide, Ours
from servicedesk.migration.our_clients import OurClients
from servicedesk.migration.our_orders import OurOrders
from servicedesk.migration.settings import MigrationSettings


def build_parts(
    settings: MigrationSettings, redis: Redis, http: httpx.AsyncClient
) -> tuple[Ours, LegacySide]:
    """`http` serves the token and legacy calls; our services get clients of their own."""
    ours = Ours(
        OurClients(service_client(settings.clients_url, timeout_s=5)),
        OurOrders(service_client(settings.orders_url, timeout_s=5)),
        ClientCredentials(settings.keycloak, http),
    )
    legacy = LegacySide(
        LegacyClient.from_settings(http, settings),
        LegacyCache(
            redis,
            "clients",
            ttl_s=settings.cache_ttl_s,
            negative_ttl_s=settings.cache_negative_ttl_s,
        ),
        CircuitBreaker(
            redis, "legacy", threshold=settings.breaker_threshold, open_s=settings.breaker_open_s
        ),
    )
    return ours, legacy


async def close_parts(ours: Ours) -> None:
    await ours.clients.http.aclose()
    await ours.orders.http.aclose()
