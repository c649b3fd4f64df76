"""The migration service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.migration.models import outbox
from servicedesk.migration.settings import MigrationSettings


def create_app(settings: MigrationSettings | None = None) -> FastAPI:
    settings = settings or MigrationSettings()
    return create_service_app(
        ServiceSpec(
            name="migration",
            title="servicedesk migration: legacy clients and orders moved into ours on use",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
        )
    )
