"""Failures as pages: sign-in redirects, the 403 page of CSRF, backend refusals, 404s.

Browsers (Accept: text/html, or htmx) get HTML; other clients keep problem+json.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from servicedesk.kernel.errors import problem_body, problem_response
from servicedesk.kernel.i18n import translate
from servicedesk.web.backend import BackendError
from servicedesk.web.i18n import choose_language
from servicedesk.web.page import is_htmx, render, return_to
from servicedesk.web.runtime import connections
from servicedesk.web.sessions import SESSION_COOKIE, WebSession
from servicedesk.web.signin import SignInRequired, safe_next

log = logging.getLogger(__name__)
_TITLES = {
    400: "error.bad_request",
    403: "error.forbidden",
    404: "error.not_found",
    405: "error.not_found",
    409: "error.conflict",
    412: "error.conflict",
    422: "error.bad_request",
}


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or is_htmx(request)


def login_url(next_url: str) -> str:
    return f"/auth/login?{urlencode({'next': safe_next(next_url)})}"


async def _session_of(request: Request) -> WebSession | None:
    session: WebSession | None = getattr(request.state, "web_session", None)
    if session is not None:
        return session
    try:
        return await connections(request).sessions.load(request.cookies.get(SESSION_COOKIE))
    except Exception:  # noqa: BLE001 - an error page must not fail for want of Redis
        return None


async def error_page(request: Request, status: int, message_key: str, detail: str = "") -> Response:
    session = await _session_of(request)
    lang = choose_language(request, session.user.locale if session else None)
    # Services answer in the page's language already; the console's own messages (`_t`) and
    # texts the catalogue knows are rendered here.
    detail = translate(detail, lang) if detail else detail
    return render(
        request,
        "error.html",
        lang=lang,
        session=session,
        status=status,
        status_code=status,
        title_key=_TITLES.get(
            status, "error.unavailable" if status >= 500 else "error.bad_request"
        ),
        message_key=message_key,
        detail=detail,
    )


def sign_in_redirect(request: Request, next_url: str) -> Response:
    target = login_url(next_url)
    if is_htmx(request):  # an XHR would follow a redirect and swap Keycloak's page in
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303, headers={"cache-control": "no-store"})


async def _on_sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return sign_in_redirect(request, exc.next_url)


async def _on_backend_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackendError)
    if exc.status == 401:
        return sign_in_redirect(request, return_to(request))
    status = exc.status if exc.status < 500 else (503 if exc.status == 503 else 502)
    if status >= 500:
        log.warning("backend failed", extra={"service": exc.service, "status": exc.status})
    return await error_page(request, status, "error.backend", exc.detail)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_html(request):
        return await error_page(request, exc.status_code, "error.page_missing")
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    body = problem_body(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)
    return problem_response(body, dict(exc.headers or {}), choose_language(request))


def install_page_errors(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.add_exception_handler(BackendError, _on_backend_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)


async def csrf_refusal(scope: Scope, reason: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The 403 page the CSRF check answers with."""
    request = Request(scope)
    response = await error_page(request, 403, "error.csrf")
    return response.status_code, response.raw_headers, bytes(response.body)
