"""What the orders service holds for its lifetime, at `app.state.service`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.service_client import RetryPolicy, ServiceClient
from servicedesk.kernel.state import kernel_state, service_state, set_service_state
from servicedesk.orders.client_directory import ClientDirectory
from servicedesk.orders.settings import OrdersSettings


@dataclass(frozen=True, slots=True)
class OrdersState:
    client_directory: ClientDirectory


def orders_state(holder: HTTPConnection | Starlette) -> OrdersState:
    return service_state(holder, OrdersState)


async def open_orders_state(app: Starlette, settings: OrdersSettings) -> None:
    """The client directory, asking the clients service with this service's own token."""
    kernel = kernel_state(app)
    clients = ServiceClient(
        "clients",
        settings.clients_url,
        auth=ClientCredentials(settings.keycloak, kernel.http),
        timeout_s=settings.client_check_deadline_s,
        retry=RetryPolicy(deadline_s=settings.client_check_deadline_s),
    )
    set_service_state(app, OrdersState(ClientDirectory(clients, settings.client_check_deadline_s)))


async def close_orders_state(app: Starlette) -> None:
    await orders_state(app).client_directory.clients.aclose()
