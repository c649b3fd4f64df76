"""The legacy service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.legacy.models import outbox
from servicedesk.legacy.settings import LegacySettings


def create_app(settings: LegacySettings | None = None) -> FastAPI:
    settings = settings or LegacySettings()
    return create_service_app(
        ServiceSpec(
            name="legacy",
            title="servicedesk legacy: a simulator of the external Clients/Orders system",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
        )
    )
