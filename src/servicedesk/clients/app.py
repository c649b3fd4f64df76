"""The clients service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.clients.models import outbox
from servicedesk.clients.router import router
from servicedesk.clients.settings import ClientsSettings
from servicedesk.kernel.app import ServiceSpec, create_service_app


def create_app(settings: ClientsSettings | None = None) -> FastAPI:
    settings = settings or ClientsSettings()
    return create_service_app(
        ServiceSpec(
            name="clients",
            title="servicedesk clients: our own client records",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[router],
        )
    )
