"""The migration service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.migration.models import outbox
from servicedesk.migration.progress import progress_router
from servicedesk.migration.router import Proxy, orders_router, router
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.wiring import build_parts, close_parts


def create_app(settings: MigrationSettings | None = None) -> FastAPI:
    settings = settings or MigrationSettings()

    async def open_proxy(app: FastAPI) -> None:
        ours, legacy = build_parts(settings, app.state.redis, app.state.http)
        app.state.proxy = Proxy(ours=ours, legacy=legacy)

    async def close_proxy(app: FastAPI) -> None:
        await close_parts(app.state.proxy.ours)

    return create_service_app(
        ServiceSpec(
            name="migration",
            title="servicedesk migration: legacy clients and orders moved into ours on use",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[router, orders_router, progress_router],
            redis_critical=False,
            on_startup=[open_proxy],
            on_shutdown=[close_proxy],
        )
    )
