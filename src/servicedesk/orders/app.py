"""The orders service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.orders.consumers import CLIENT_PROJECTION
from servicedesk.orders.models import outbox
from servicedesk.orders.router import router
from servicedesk.orders.settings import OrdersSettings
from servicedesk.orders.state import close_orders_state, open_orders_state


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()

    async def open_state(app: FastAPI) -> None:
        await open_orders_state(app, settings)

    return create_service_app(
        ServiceSpec(
            name="orders",
            title="servicedesk orders: our own order records",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[router],
            subscriptions=[CLIENT_PROJECTION],
            on_startup=[open_state],
            on_shutdown=[close_orders_state],
        )
    )
