"""The migration service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.migration.models import outbox
from servicedesk.migration.router import clients_router, orders_router, progress_router
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.state import MigrationState, migration_state
from servicedesk.migration.wiring import build_parts, close_parts


def create_app(settings: MigrationSettings | None = None) -> FastAPI:
    settings = settings or MigrationSettings()

    async def open_state(app: FastAPI) -> None:
        kernel = kernel_state(app)
        ours, legacy = build_parts(settings, kernel.require_redis(), kernel.http)
        set_service_state(app, MigrationState(ours=ours, legacy=legacy))

    async def close_state(app: FastAPI) -> None:
        await close_parts(migration_state(app).ours)

    return create_service_app(
        ServiceSpec(
            name="migration",
            title="servicedesk migration: legacy clients and orders moved into ours on use",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[clients_router, orders_router, progress_router],
            redis_critical=False,
            on_startup=[open_state],
            on_shutdown=[close_state],
        )
    )
