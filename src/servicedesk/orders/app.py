"""The orders service's ASGI application: `uvicorn --factory servicedesk.orders.app:create_app`."""

from fastapi import FastAPI

from servicedesk.orders.models import outbox
from servicedesk.orders.settings import OrdersSettings
from servicedesk.kernel.app import ServiceSpec, create_service_app


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
