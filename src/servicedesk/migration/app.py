"""The migration service's ASGI application: `uvicorn --factory servicedesk.migration.app:create_app`."""

from fastapi import FastAPI

from servicedesk.migration.models import outbox
from servicedesk.migration.settings import MigrationSettings
from servicedesk.kernel.app import ServiceSpec, create_service_app


def create_app(settings: MigrationSettings | None = None) -> FastAPI:
    settings = settings or MigrationSettings()
    return create_service_app(
        ServiceSpec(
            name="migration",
            title="servicedesk migration: the proxy that moves legacy clients and orders into ours as they are used",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
        )
    )
