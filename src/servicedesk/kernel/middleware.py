"""ASGI middleware: request id, language, access log, RED metrics and the request body limit."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicedesk.kernel.context import REQUEST_ID_HEADER, request_id_var
from servicedesk.kernel.errors import PROBLEM_CONTENT_TYPE, localize_problem, problem_body
from servicedesk.kernel.i18n import (
    DEFAULT_LANGUAGE,
    _t,
    from_accept_language,
    language_var,
    use_language,
)
from servicedesk.kernel.metrics import observe_request

access_log = logging.getLogger("servicedesk.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_QUIET_PATHS = ("/metrics", "/health/live", "/health/ready")
# Telegram's Bot API carries the bot's token in the path (/bot<token>/<method>): never logged.
_BOT_TOKEN_IN_PATH = re.compile(r"/(file/)?bot[0-9]+:[A-Za-z0-9_-]+")


def loggable_path(path: str) -> str:
    return _BOT_TOKEN_IN_PATH.sub(lambda m: f"/{m.group(1) or ''}bot<token>", path)


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _accept_language(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            found: str = value.decode("latin-1")
            return found
    return None


def _route_template(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return str(path) if path else "<unmatched>"


class RequestContextMiddleware:
    """Gives each request an id (taken from X-Request-ID or made), logs it and measures it; its
    language (Accept-Language, else English) is the current language while it is served."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = request_id_var.set(request_id)
        language = use_language(from_accept_language(_accept_language(scope)) or DEFAULT_LANGUAGE)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            observe_request(self.service, scope["method"], route, status, elapsed)
            if scope["path"] not in _QUIET_PATHS:
                access_log.info(
                    "request handled",
                    extra={
                        "method": scope["method"],
                        "path": loggable_path(scope["path"]),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            language_var.reset(language)
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses request bodies over a limit with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            # The server holds the client to its Content-Length, so checking it is enough.
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(scope, send)
                return
            await self.app(scope, receive, send)
            return
        body = await self._read_limited(receive)
        if body is None:
            await self._refuse(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_limited(self, receive: Receive) -> bytes | None:
        """Reads a body sent without Content-Length; None once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        lang = from_accept_language(_accept_language(scope)) or DEFAULT_LANGUAGE
        body = problem_body(
            413,
            "payload-too-large",
            "Request body too large",
            _t("the request body exceeds {max_bytes} bytes", max_bytes=self.max_bytes),
            scope["path"],
        )
        body = localize_problem(body, lang)
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-language", lang.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
