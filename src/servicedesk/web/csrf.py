"""Cross-site request forgery: every unsafe request must come from our own pages.

An unsafe request (POST, PUT, PATCH, DELETE) passes only when
- its `Origin` (or, without one, `Sec-Fetch-Site`) says it comes from the console's own origin,
- it belongs to a session, and
- it carries that session's token: the form field `csrf_token` (plain forms) or the header
  `X-CSRF-Token` (htmx sends it from `hx-headers` on <body>).
Anything else gets the 403 page. The back-channel logout (server to server, signed token) is the
one exception.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicedesk.web.page import CSRF_FIELD, CSRF_HEADER
from servicedesk.web.runtime import connections
from servicedesk.web.sessions import SESSION_COOKIE

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
Refusal = Callable[[Scope, str], Awaitable[tuple[int, list[tuple[bytes, bytes]], bytes]]]


class CsrfRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_origin(request: Request, allowed_origin: str) -> None:
    origin = request.headers.get("origin")
    if origin is not None:
        if origin != allowed_origin:
            raise CsrfRejected(f"cross-origin request from {origin[:100]!r}")
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CsrfRejected(f"cross-site request (Sec-Fetch-Site: {fetch_site[:20]})")


class CsrfMiddleware:
    def __init__(
        self, app: ASGIApp, allowed_origin: str, exempt: frozenset[str], refuse: Refusal
    ) -> None:
        self.app = app
        self.allowed_origin = allowed_origin
        self.exempt = exempt
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"] in self.exempt
        ):
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._check(scope, receive)
        except CsrfRejected as exc:
            log.warning("request refused (CSRF)", extra={"reason": exc.reason})
            status, headers, body = await self.refuse(scope, exc.reason)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        """Raises CsrfRejected; returns the `receive` to read the body from afterwards."""
        request = Request(scope)
        check_origin(request, self.allowed_origin)
        session = await connections(scope).sessions.load(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise CsrfRejected("no session")
        sent = request.headers.get(CSRF_HEADER)
        content_type = request.headers.get("content-type", "")
        if sent is None and content_type.startswith(FORM_TYPES):
            body = await _read_body(receive)
            receive = _replay(body, then=receive)
            sent = await _form_token(scope, body)
        if not sent or not secrets.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise CsrfRejected("missing or wrong CSRF token")
        scope.setdefault("state", {})["web_session"] = session
        return receive


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """Gives the body that was read once more, then waits on `then` (e.g. for a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


async def _form_token(scope: Scope, body: bytes) -> str | None:
    try:
        async with Request(scope, _replay(body)).form() as form:
            value = form.get(CSRF_FIELD)
    except Exception:  # noqa: BLE001 - an unreadable form carries no token
        return None
    return value if isinstance(value, str) else None
