"""The Telegram fake's application factory, run by uvicorn with --factory on port 8081.

Bot API at `/bot{token}/{method}` and `/file/bot{token}/{path}`, control API at `/control`,
chat page at `/`, plus the kernel's /health and /metrics. No database, Redis or broker:
everything lives in memory and is gone on restart (or `POST /control/reset`).
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from servicedesk.fakes.telegram.botapi import bot_api_router
from servicedesk.fakes.telegram.control import control_router
from servicedesk.fakes.telegram.page import STATIC_DIR, page_router
from servicedesk.fakes.telegram.settings import TelegramFakeSettings
from servicedesk.fakes.telegram.state import TelegramFakeState, telegram_fake_state
from servicedesk.kernel.app import LifecycleHook, ServiceSpec, create_service_app
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.kernel.state import kernel_state, set_service_state


def _open_state(settings: TelegramFakeSettings) -> LifecycleHook:
    async def open_state(app: FastAPI) -> None:
        set_service_state(app, TelegramFakeState(settings, kernel_state(app).http))

    return open_state


async def _stop_deliveries(app: FastAPI) -> None:
    await telegram_fake_state(app).reset()


def create_app(settings: TelegramFakeSettings | None = None) -> FastAPI:
    settings = settings or TelegramFakeSettings()
    app = create_service_app(
        ServiceSpec(
            name="telegram-fake",
            title="servicedesk telegram-fake: the Telegram Bot API, faked for the local stack",
            settings=settings,
            keycloak=KeycloakSettings.local("telegram-fake"),
            database=None,
            uses_redis=False,
            uses_broker=False,
            api_docs=False,
            routers=[bot_api_router, control_router, page_router],
            on_startup=[_open_state(settings)],
            on_shutdown=[_stop_deliveries],
        )
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
