"""The orders service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.calls import ClientCredentials, service_client
from servicedesk.orders.client_directory import ClientDirectory
from servicedesk.orders.consumers import CLIENT_PROJECTION
from servicedesk.orders.models import outbox
from servicedesk.orders.router import router
from servicedesk.orders.settings import OrdersSettings


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()

    async def open_client_directory(app: FastAPI) -> None:
        credentials = ClientCredentials(settings.keycloak, app.state.http)
        clients = service_client(settings.clients_url, auth=credentials)
        app.state.client_directory = ClientDirectory(clients, settings.client_check_deadline_s)

    async def close_client_directory(app: FastAPI) -> None:
        await app.state.client_directory.clients.aclose()

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
            on_startup=[open_client_directory],
            on_shutdown=[close_client_directory],
        )
    )
