"""The orders service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.orders.models import outbox
from servicedesk.orders.settings import OrdersSettings


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()
    return create_service_app(
        ServiceSpec(
            name="orders",
            title="servicedesk orders: our own order records",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
        )
    )
