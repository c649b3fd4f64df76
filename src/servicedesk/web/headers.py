"""Security headers on every response of the console, errors included.

Content-Security-Policy: scripts, styles, images and fonts from our own origin only, nothing
inline (htmx is configured from the static app.js), no framing; forms may post to us and be
redirected to Keycloak (sign-out).
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


def content_security_policy(identity_provider_origin: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {identity_provider_origin}",
            "frame-ancestors 'none'",
        )
    )


def security_headers(identity_provider_origin: str) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(identity_provider_origin),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        # Same-origin: our own POSTs keep their Origin header; nothing leaks to other sites.
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    return [(name.encode(), value.encode()) for name, value in headers.items()]


_FALLBACK_500 = (
    b"<!doctype html><html><head><meta charset=utf-8><title>500</title></head>"
    b"<body><h1>500</h1><p>An unexpected error occurred.</p></body></html>"
)


class SecurityHeadersMiddleware:
    """Adds the headers; an error no handler took becomes a plain 500 page with them too."""

    def __init__(self, app: ASGIApp, identity_provider_origin: str) -> None:
        self.app = app
        self.headers = security_headers(identity_provider_origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("unhandled error", extra={"path": scope.get("path")})
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": _FALLBACK_500})
