"""What a page route works with: `page: PageDep` gives the signed-in user, their backend client,
`t()`, and `render()`. A request without a session is sent to sign in first.

    @router.get("/incidents", response_class=HTMLResponse)
    async def incidents(page: PageDep) -> HTMLResponse:
        found = await page.backend.tickets.get("/api/v1/incidents", {"limit": 20})
        return page.render("incidents/list.html", incidents=found["items"])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicedesk.web.backend import Backend
from servicedesk.web.i18n import LANGUAGES, choose_language
from servicedesk.web.inbox import unread_count
from servicedesk.web.runtime import connections, presentation
from servicedesk.web.sessions import SESSION_COOKIE, WebSession, WebUser
from servicedesk.web.signin import SignInRequired, fresh_session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def is_htmx(request: Request) -> bool:
    """An htmx request for part of a page (not a boosted link or a history restore)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def return_to(request: Request) -> str:
    """Where to come back to after sign-in: the page the user is on."""
    current = request.headers.get("hx-current-url") if is_htmx(request) else None
    parts = urlsplit(current) if current else request.url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def render(
    request: Request,
    template: str,
    *,
    lang: str,
    session: WebSession | None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A template as an HTML response, with what every page has in its context."""
    shown = presentation(request)

    def t(key: str, default: str | None = None, **params: object) -> str:
        return shown.catalogs.t(lang, key, default, **params)

    def lang_url(code: str) -> str:
        url = request.url.include_query_params(lang=code)
        return f"{url.path}?{url.query}"

    html = shown.templates.get_template(template).render(
        request=request,
        lang=lang,
        languages=LANGUAGES,
        t=t,
        lang_url=lang_url,
        user=session.user if session else None,
        csrf_token=session.csrf_token if session else "",
        current_path=request.url.path,
        htmx=is_htmx(request),
        bell_unread=getattr(request.state, "bell_unread", None),
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["cache-control"] = "no-store"
    response.headers["vary"] = "HX-Request, Cookie, Accept-Language"
    return response


@dataclass
class Page:
    request: Request
    session: WebSession
    lang: str
    backend: Backend

    @property
    def user(self) -> WebUser:
        return self.session.user

    @property
    def htmx(self) -> bool:
        """True when htmx asks for a fragment: render the partial template then."""
        return is_htmx(self.request)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def t(self, key: str, default: str | None = None, **params: object) -> str:
        return presentation(self.request).catalogs.t(self.lang, key, default, **params)

    def render(
        self,
        template: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        return render(
            self.request,
            template,
            lang=self.lang,
            session=self.session,
            status=status,
            headers=headers,
            **context,
        )

    async def flash(self, name: str, value: str) -> None:
        """A one-time message shown by the next page that takes it (see `take_flash`)."""
        await connections(self.request).sessions.flash(self.session, name, value)

    async def take_flash(self, name: str) -> str | None:
        return await connections(self.request).sessions.take_flash(self.session, name)

    def redirect(self, url: str) -> Response:
        """After a successful form post: 303 to `url` (htmx: a full navigation via HX-Redirect)."""
        if self.htmx:
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)


async def signed_in_session(request: Request) -> WebSession:
    """The request's session with a fresh access token; SignInRequired when there is none."""
    conn = connections(request)
    session: WebSession | None = getattr(request.state, "web_session", None)
    if session is None:
        session = await conn.sessions.load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise SignInRequired(return_to(request))
    margin = presentation(request).settings.refresh_margin_s
    try:
        session = await fresh_session(session, conn, margin)
    except SignInRequired:
        raise SignInRequired(return_to(request)) from None
    request.state.web_session = session
    return session


async def current_page(request: Request) -> Page:
    session = await signed_in_session(request)
    page = Page(
        request=request,
        session=session,
        lang=choose_language(request, session.user.locale),
        backend=connections(request).backends.for_user(session.access_token),
    )
    if request.method == "GET" and not is_htmx(request):  # a whole page: its bell's number
        deadline_s = presentation(request).settings.bell_timeout_s
        request.state.bell_unread = await unread_count(page.backend.notifications, deadline_s)
    return page


PageDep = Annotated[Page, Depends(current_page)]
