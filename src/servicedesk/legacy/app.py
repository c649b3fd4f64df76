"""The legacy service's application factory, run by uvicorn with --factory.

A simulator of the company's external Clients/Orders system, speaking that system's API
(`/legacy/api/v2`, API key, its own error shape), with fault knobs under `/legacy/admin`.
It publishes no events: no outbox relay, no broker.
"""

from fastapi import FastAPI

from servicedesk.kernel.app import LifecycleHook, ServiceSpec, create_service_app
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.legacy.admin import admin_router
from servicedesk.legacy.errors import install_legacy_error_handlers
from servicedesk.legacy.faults import FaultInjector, FaultStore
from servicedesk.legacy.router import router
from servicedesk.legacy.settings import LegacySettings
from servicedesk.legacy.state import LegacyState


def _open_fault_knobs(settings: LegacySettings) -> LifecycleHook:
    async def open_fault_knobs(app: FastAPI) -> None:
        store = FaultStore(
            kernel_state(app).require_redis(),
            settings.faults_redis_key,
            settings.faults,
            settings.faults_cache_s,
        )
        set_service_state(app, LegacyState(settings, store, FaultInjector(store)))

    return open_fault_knobs


def create_app(settings: LegacySettings | None = None) -> FastAPI:
    settings = settings or LegacySettings()
    app = create_service_app(
        ServiceSpec(
            name="legacy",
            title="servicedesk legacy: a simulator of the external Clients/Orders system",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            uses_broker=False,
            routers=[router, admin_router],
            on_startup=[_open_fault_knobs(settings)],
        )
    )
    install_legacy_error_handlers(app)
    return app
