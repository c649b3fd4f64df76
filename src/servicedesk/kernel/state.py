"""Typed application state: what the kernel opens, and what each service adds, in one object each.

The kernel puts one `KernelState` at `app.state.kernel` when the application starts (its HTTP
client, token validator, Redis, database, broker, readiness checks); read it with
`kernel_state(request)` or the `Kernel` dependency, never through loose `app.state.x` names.

A service that holds things of its own (a client of another service, a store…) declares one
container for them and puts it at `app.state.service`, once, in a start-up hook:

    @dataclass(frozen=True, slots=True)
    class OrdersState:
        client_directory: ClientDirectory

    def orders_state(holder: HTTPConnection | Starlette) -> OrdersState:
        return service_state(holder, OrdersState)

    async def open_state(app: FastAPI) -> None:
        kernel = kernel_state(app)
        set_service_state(app, OrdersState(ClientDirectory(...kernel.http...)))

and reads it with `orders_state(request)` (or `Annotated[OrdersState, Depends(orders_state)]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import httpx
from fastapi import Depends
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.types import Scope

from servicedesk.kernel.broker import Broker
from servicedesk.kernel.db import Database

if TYPE_CHECKING:  # both import this module (auth may read the state's token validator)
    from servicedesk.kernel.auth import TokenValidator
    from servicedesk.kernel.health import ReadinessCheck

Service = TypeVar("Service")
Holder = HTTPConnection | Starlette | Scope


class StateMissing(RuntimeError):
    """Something read the application's state before start-up made it (or the wrong kind)."""


@dataclass(eq=False, slots=True)
class KernelState:
    """What the kernel opened for this service, for its lifetime."""

    service_name: str
    http: httpx.AsyncClient
    token_validator: TokenValidator
    readiness_checks: list[ReadinessCheck] = field(default_factory=list)
    redis: Redis | None = None
    database: Database | None = None
    broker: Broker | None = None

    def require_database(self) -> Database:
        if self.database is None:
            raise StateMissing(f"{self.service_name} has no database (ServiceSpec.database)")
        return self.database

    def require_redis(self) -> Redis:
        if self.redis is None:
            raise StateMissing(f"{self.service_name} uses no Redis (ServiceSpec.uses_redis)")
        return self.redis


def app_of(holder: Holder) -> Starlette:
    """The application of a request, a websocket, an ASGI scope, or the application itself."""
    if isinstance(holder, Starlette):
        return holder
    if isinstance(holder, HTTPConnection):
        app: Starlette = holder.app
        return app
    scoped: Starlette = holder["app"]
    return scoped


def set_kernel_state(app: Starlette, state: KernelState) -> None:
    app.state.kernel = state


def kernel_state(holder: Holder) -> KernelState:
    found: Any = getattr(app_of(holder).state, "kernel", None)
    if not isinstance(found, KernelState):
        raise StateMissing("the kernel state is made when the application starts (lifespan)")
    return found


def set_service_state(app: Starlette, state: object) -> None:
    """The service's own container; set once, at start-up."""
    app.state.service = state


def service_state(holder: Holder, kind: type[Service]) -> Service:
    """The service's own container, checked to be of the kind the caller expects."""
    found: Any = getattr(app_of(holder).state, "service", None)
    if not isinstance(found, kind):
        raise StateMissing(f"no {kind.__name__} at app.state.service (set it at start-up)")
    return found


def _kernel(connection: HTTPConnection) -> KernelState:
    return kernel_state(connection)


Kernel = Annotated[KernelState, Depends(_kernel)]
