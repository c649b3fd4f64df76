"""The SMS fake's application factory, run by uvicorn with --factory on port 8082.

SMS.ru's API at `/sms/send`, `/sms/status`, `/my/balance`; Twilio's at `/2010-04-01/Accounts/…`;
the control API at `/control`; the phone page at `/`; plus the kernel's /health and /metrics.
No database, Redis or broker: everything lives in memory and is gone on restart (or
`POST /control/reset`).
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from servicedesk.fakes.sms.control import control_router
from servicedesk.fakes.sms.page import STATIC_DIR, page_router
from servicedesk.fakes.sms.settings import SmsFakeSettings
from servicedesk.fakes.sms.smsru_api import smsru_router
from servicedesk.fakes.sms.state import SmsFakeState, sms_fake_state
from servicedesk.fakes.sms.twilio_api import twilio_router
from servicedesk.kernel.app import LifecycleHook, ServiceSpec, create_service_app
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.kernel.state import kernel_state, set_service_state


def _open_state(settings: SmsFakeSettings) -> LifecycleHook:
    async def open_state(app: FastAPI) -> None:
        set_service_state(app, SmsFakeState(settings, kernel_state(app).http))

    return open_state


async def _stop_callbacks(app: FastAPI) -> None:
    await sms_fake_state(app).stop()


def create_app(settings: SmsFakeSettings | None = None) -> FastAPI:
    settings = settings or SmsFakeSettings()
    app = create_service_app(
        ServiceSpec(
            name="sms-fake",
            title="servicedesk sms-fake: SMS.ru and Twilio, faked for the local stack",
            settings=settings,
            keycloak=KeycloakSettings.local("sms-fake"),
            database=None,
            uses_redis=False,
            uses_broker=False,
            api_docs=False,
            routers=[smsru_router, twilio_router, control_router, page_router],
            on_startup=[_open_state(settings)],
            on_shutdown=[_stop_callbacks],
        )
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
