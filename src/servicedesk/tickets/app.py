"""The tickets service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.tickets.models import outbox
from servicedesk.tickets.settings import TicketsSettings


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
