"""The web service's application factory, run by uvicorn with --factory.

The console is server-rendered (Jinja2, htmx for partial updates; see ADR 0019) and is the
backend-for-frontend: it signs users in through Keycloak, keeps their tokens in a server-side
session and calls the services with the user's own access token.
"""

import logging

from fastapi import FastAPI
from starlette.middleware import Middleware

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.web.backend import BackendClients
from servicedesk.web.csrf import CsrfMiddleware
from servicedesk.web.errors import csrf_refusal, install_page_errors
from servicedesk.web.headers import SecurityHeadersMiddleware
from servicedesk.web.i18n import LanguageCookieMiddleware
from servicedesk.web.oidc import OidcClient
from servicedesk.web.pages import ROUTERS
from servicedesk.web.runtime import Connections, Presentation, WebState, connections, web_state
from servicedesk.web.sessions import SessionStore
from servicedesk.web.settings import WebSettings
from servicedesk.web.templating import STATIC_DIR, CachedStaticFiles

log = logging.getLogger(__name__)
CSRF_EXEMPT = frozenset({"/auth/backchannel-logout"})  # server to server, a signed token


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    async def open_connections(app: FastAPI) -> None:
        kernel = kernel_state(app)
        validator = kernel.token_validator
        web_state(app).connections = Connections(
            oidc=OidcClient(settings.keycloak, settings.redirect_uri, kernel.http, validator.jwks),
            sessions=SessionStore(kernel.require_redis()),
            backends=BackendClients(
                settings.tickets_url,
                settings.migration_url,
                settings.backend_timeout_s,
                channels_url=settings.channels_url,
                notifications_url=settings.notifications_url,
                stream_idle_s=settings.stream_idle_s,
            ),
            access_tokens=validator,
        )
        if not (settings.vendor_dir / "htmx.min.js").is_file():
            log.warning(
                "front-end files missing: run the bootstrap (scripts/lib/web.sh)",
                extra={"vendor_dir": str(settings.vendor_dir)},
            )

    async def close_connections(app: FastAPI) -> None:
        await connections(app).backends.close()

    app = create_service_app(
        ServiceSpec(
            name="web",
            title="servicedesk web console",
            settings=settings,
            keycloak=settings.keycloak,
            routers=ROUTERS,
            uses_broker=False,
            on_startup=[open_connections],
            on_shutdown=[close_connections],
            api_docs=False,
            middleware=[
                Middleware(
                    SecurityHeadersMiddleware, identity_provider_origin=settings.keycloak.url
                ),
                Middleware(LanguageCookieMiddleware, secure=settings.secure_cookies),
                Middleware(
                    CsrfMiddleware,
                    allowed_origin=settings.public_origin,
                    exempt=CSRF_EXEMPT,
                    refuse=csrf_refusal,
                ),
            ],
        )
    )
    set_service_state(app, WebState(Presentation(settings)))
    install_page_errors(app)
    app.mount(
        "/static/vendor",
        CachedStaticFiles(directory=settings.vendor_dir, check_dir=False),
        name="vendor",
    )
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    return app
