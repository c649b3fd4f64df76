"""The migration service's application factory, run by uvicorn with --factory."""

import httpx
from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.calls import ClientCredentials, service_client
from servicedesk.migration.breaker import CircuitBreaker
from servicedesk.migration.cache import LegacyCache
from servicedesk.migration.legacy_client import LegacyClient
from servicedesk.migration.models import outbox
from servicedesk.migration.moving import LegacySide, Ours
from servicedesk.migration.our_clients import OurClients
from servicedesk.migration.our_orders import OurOrders
from servicedesk.migration.router import Proxy, orders_router, router
from servicedesk.migration.settings import MigrationSettings


def create_app(settings: MigrationSettings | None = None) -> FastAPI:
    settings = settings or MigrationSettings()

    async def open_proxy(app: FastAPI) -> None:
        redis = app.state.redis
        legacy_http = httpx.AsyncClient()
        service_auth = ClientCredentials(settings.keycloak, app.state.http)
        app.state.proxy = Proxy(
            ours=Ours(
                OurClients(service_client(settings.clients_url, timeout_s=5)),
                OurOrders(service_client(settings.orders_url, timeout_s=5)),
                service_auth,
            ),
            legacy=LegacySide(
                LegacyClient.from_settings(legacy_http, settings),
                LegacyCache(
                    redis,
                    "clients",
                    ttl_s=settings.cache_ttl_s,
                    negative_ttl_s=settings.cache_negative_ttl_s,
                ),
                CircuitBreaker(
                    redis,
                    "legacy",
                    threshold=settings.breaker_threshold,
                    open_s=settings.breaker_open_s,
                ),
            ),
        )
        app.state.legacy_http = legacy_http

    async def close_proxy(app: FastAPI) -> None:
        await app.state.proxy.ours.clients.http.aclose()
        await app.state.proxy.ours.orders.http.aclose()
        await app.state.legacy_http.aclose()

    return create_service_app(
        ServiceSpec(
            name="migration",
            title="servicedesk migration: legacy clients and orders moved into ours on use",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[router, orders_router],
            redis_critical=False,
            on_startup=[open_proxy],
            on_shutdown=[close_proxy],
        )
    )
