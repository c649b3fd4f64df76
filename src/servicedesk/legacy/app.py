"""The legacy service's ASGI application: `uvicorn --factory servicedesk.legacy.app:create_app`."""

from fastapi import FastAPI

from servicedesk.legacy.models import outbox
from servicedesk.legacy.settings import LegacySettings
from servicedesk.kernel.app import ServiceSpec, create_service_app


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
