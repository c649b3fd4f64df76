"""What the web service holds for its lifetime: settings, templates, OIDC, sessions, backends."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from jinja2 import Environment
from starlette.types import Scope

from servicedesk.kernel.auth import TokenValidator
from servicedesk.web.backend import BackendClients
from servicedesk.web.i18n import Catalogs, Formats
from servicedesk.web.oidc import OidcClient
from servicedesk.web.sessions import SessionStore
from servicedesk.web.settings import WebSettings
from servicedesk.web.templating import STATIC_DIR, StaticUrls, build_environment


@dataclass
class Presentation:
    """Made when the app is built: templates, texts, formats (nothing to open or close)."""

    settings: WebSettings
    catalogs: Catalogs = field(init=False)
    formats: Formats = field(init=False)
    static_url: StaticUrls = field(init=False)
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.catalogs = Catalogs()
        self.formats = Formats(self.settings.time_zone)
        self.static_url = StaticUrls(STATIC_DIR, self.settings.vendor_dir)
        self.templates = build_environment(self.formats, self.static_url)


@dataclass
class Connections:
    """Opened at start-up, on the kernel's HTTP client, Redis and JWKS cache."""

    oidc: OidcClient
    sessions: SessionStore
    backends: BackendClients
    access_tokens: TokenValidator


def presentation(scope_or_request: Request | Scope) -> Presentation:
    app: FastAPI = _app(scope_or_request)
    result: Presentation = app.state.presentation
    return result


def connections(scope_or_request: Request | Scope) -> Connections:
    app: FastAPI = _app(scope_or_request)
    result: Connections = app.state.connections
    return result


def _app(scope_or_request: Request | Scope) -> FastAPI:
    if isinstance(scope_or_request, Request):
        app: FastAPI = scope_or_request.app
        return app
    scoped: FastAPI = scope_or_request["app"]
    return scoped
