"""The proxy's parts, built from settings: used by the service and by the backfill command."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from servicedesk.kernel.breaker import SharedBreaker
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.migration.adapters.legacy_api import LegacyClient
from servicedesk.migration.adapters.legacy_cache import LegacyCache
from servicedesk.migration.adapters.our_services import OurClients, OurOrders
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.settings import MigrationSettings


def build_parts(
    settings: MigrationSettings, redis: Redis, http: httpx.AsyncClient
) -> tuple[Ours, LegacySide]:
    """`http` serves the token and legacy calls; our services get clients of their own."""
    ours = Ours(
        OurClients.at("clients", settings.clients_url),
        OurOrders.at("orders", settings.orders_url),
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
        SharedBreaker(
            redis, "legacy", threshold=settings.breaker_threshold, open_s=settings.breaker_open_s
        ),
    )
    return ours, legacy


async def close_parts(ours: Ours) -> None:
    await ours.clients.aclose()
    await ours.orders.aclose()
