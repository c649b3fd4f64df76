"""The tickets service's ASGI application: `uvicorn --factory servicedesk.tickets.app:create_app`."""

from fastapi import FastAPI

from servicedesk.tickets.models import outbox
from servicedesk.tickets.settings import TicketsSettings
from servicedesk.kernel.app import ServiceSpec, create_service_app


def create_app(settings: TicketsSettings | None = None) -> FastAPI:
    settings = settings or TicketsSettings()
    return create_service_app(
        ServiceSpec(
            name="tickets",
            title="servicedesk tickets: incidents, problems, workflows, comments and history",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
        )
    )
