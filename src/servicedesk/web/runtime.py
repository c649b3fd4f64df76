"""What the web service holds for its lifetime: settings, templates, OIDC, sessions, backends."""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.types import Scope

from servicedesk.kernel.auth import TokenValidator
from servicedesk.kernel.state import StateMissing, service_state
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


@dataclass(eq=False, slots=True)
class WebState:
    """The web service's container at `app.state.service`: presentation from the start,
    connections once the application has started."""

    presentation: Presentation
    connections: Connections | None = None


def web_state(holder: HTTPConnection | Starlette | Scope) -> WebState:
    return service_state(holder, WebState)


def presentation(holder: HTTPConnection | Starlette | Scope) -> Presentation:
    return web_state(holder).presentation


def connections(holder: HTTPConnection | Starlette | Scope) -> Connections:
    opened = web_state(holder).connections
    if opened is None:
        raise StateMissing("the web connections open when the application starts")
    return opened
