"""Builds a service's FastAPI application from the kernel's parts."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from redis.asyncio import Redis
from sqlalchemy import Table, text
from starlette.middleware import Middleware

from servicedesk.kernel.auth import JwksCache, TokenValidator
from servicedesk.kernel.broker import Broker, BrokerUnavailable
from servicedesk.kernel.consumer import Subscription, run_subscriptions
from servicedesk.kernel.cursors import use_cursor_secret
from servicedesk.kernel.db import Database
from servicedesk.kernel.errors import PROBLEM_RESPONSES, install_problem_handlers
from servicedesk.kernel.health import ReadinessCheck, health_router
from servicedesk.kernel.identity import identity_router
from servicedesk.kernel.logs import configure_logging
from servicedesk.kernel.metrics import metrics_router
from servicedesk.kernel.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from servicedesk.kernel.outbox import OutboxRelay
from servicedesk.kernel.settings import DatabaseSettings, KeycloakSettings, ServiceSettings
from servicedesk.kernel.state import KernelState, set_kernel_state
from servicedesk.kernel.tasks import cancel_all

log = logging.getLogger(__name__)
# Requests allocate many short-lived objects; collecting less often costs memory, not latency.
GC_THRESHOLDS = (50_000, 20, 100)
LifecycleHook = Callable[[FastAPI], Awaitable[None]]


@dataclass
class ServiceSpec:
    """What a service is made of; the kernel wires the rest."""

    name: str
    title: str
    settings: ServiceSettings
    keycloak: KeycloakSettings
    routers: Sequence[APIRouter] = ()
    database: DatabaseSettings | None = None
    outbox: Table | None = None
    uses_redis: bool = True
    redis_critical: bool = True  # False: the service works, degraded, without Redis
    uses_broker: bool = True
    subscriptions: Sequence[Subscription] = ()
    on_startup: Sequence[LifecycleHook] = field(default_factory=list)
    on_shutdown: Sequence[LifecycleHook] = field(default_factory=list)
    # Inside the kernel's own middleware (request id, access log, metrics, body limit), the
    # first one outermost: what they answer is logged and measured like any response.
    middleware: Sequence[Middleware] = ()
    api_docs: bool = True  # False: no /docs and /redoc pages (they load their scripts from a CDN)


def operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids, `{tag}-{name}`, so clients can be generated."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


def create_service_app(spec: ServiceSpec) -> FastAPI:
    configure_logging(spec.name, spec.settings.log_level)
    use_cursor_secret(spec.settings.cursor_secret.get_secret_value())
    app = FastAPI(
        title=spec.title,
        version="0.1.0",
        lifespan=_lifespan(spec),
        generate_unique_id_function=operation_id,
        responses=PROBLEM_RESPONSES,
        docs_url="/docs" if spec.api_docs else None,
        redoc_url="/redoc" if spec.api_docs else None,
    )
    install_problem_handlers(app)
    for middleware in reversed(spec.middleware):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=spec.settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    for router in (health_router, metrics_router, identity_router, *spec.routers):
        app.include_router(router)
    return app


def _lifespan(spec: ServiceSpec) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[None]] = []
        async with httpx.AsyncClient() as http:
            kernel = KernelState(
                service_name=spec.name,
                http=http,
                token_validator=TokenValidator(
                    spec.keycloak.issuer,
                    spec.keycloak.client_id,
                    JwksCache(spec.keycloak.jwks_url, http, spec.keycloak.jwks_ttl_s),
                ),
            )
            redis = kernel.redis = _open_redis(kernel, spec)
            database = kernel.database = _open_database(kernel, spec, redis)
            broker = kernel.broker = await _open_broker(kernel, spec)
            set_kernel_state(app, kernel)
            if database is not None and broker is not None and spec.outbox is not None:
                relay = OutboxRelay(spec.name, database.primary, spec.outbox, broker)
                tasks.append(asyncio.create_task(relay.run_forever(), name="outbox-relay"))
            if database is not None and spec.subscriptions:
                consuming = run_subscriptions(
                    spec.settings.broker.url.get_secret_value(),
                    spec.settings.broker.exchange,
                    database,
                    spec.name,
                    spec.subscriptions,
                )
                tasks.append(asyncio.create_task(consuming, name="subscriptions"))
            for hook in spec.on_startup:
                await hook(app)
            gc.freeze()  # start-up objects never die: keep them out of full collections
            gc.set_threshold(*GC_THRESHOLDS)
            try:
                yield
            finally:
                for hook in spec.on_shutdown:
                    await hook(app)
                await cancel_all(tasks)
                await _close(database, broker, redis)

    return lifespan


def _open_redis(kernel: KernelState, spec: ServiceSpec) -> Redis | None:
    if not spec.uses_redis:
        return None
    redis = Redis.from_url(spec.settings.redis.url.get_secret_value(), socket_timeout=2)
    kernel.readiness_checks.append(
        ReadinessCheck("redis", redis.ping, critical=spec.redis_critical)
    )
    return redis


def _open_database(kernel: KernelState, spec: ServiceSpec, redis: Redis | None) -> Database | None:
    if spec.database is None:
        return None
    database = Database(spec.database, redis)

    async def primary() -> None:
        async with database.primary.connect() as connection:
            await connection.execute(text("select 1"))

    kernel.readiness_checks.append(ReadinessCheck("database", primary))
    kernel.readiness_checks.append(
        ReadinessCheck("standby", database.replication_status, critical=False)
    )
    return database


async def _open_broker(kernel: KernelState, spec: ServiceSpec) -> Broker | None:
    if not spec.uses_broker:
        return None
    broker = Broker(spec.settings.broker.url.get_secret_value(), spec.settings.broker.exchange)
    try:
        await broker.connect()
    except BrokerUnavailable:
        log.warning("broker unavailable at start; events will wait in the outbox")
    kernel.readiness_checks.append(ReadinessCheck("broker", broker.connect))
    return broker


async def _close(database: Database | None, broker: Broker | None, redis: Redis | None) -> None:
    if broker is not None:
        await broker.close()
    if database is not None:
        await database.dispose()
    if redis is not None:
        await redis.aclose()
