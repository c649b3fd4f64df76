"""The notifications service's Server-Sent Events, relayed to a browser tab as they come.

Each tab holds one stream (`GET /notifications/stream`); the console opens one upstream stream
for it with the user's access token, passes `Last-Event-ID` on (the service replays what the tab
missed), and copies the bytes through unparsed and unbuffered. The relay ends, between two
events, when the access token nears its end (the browser reconnects, and the console refreshes
the token first), when the service ends its stream or goes quiet longer than its pings allow,
and at once when the browser goes away: the upstream stream is always closed.

The streams have their own HTTP client: they last minutes, and must not take the connections
of the ordinary calls.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator

import anyio
import httpx
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from servicedesk.kernel.context import REQUEST_ID_HEADER, current_request_id
from servicedesk.kernel.i18n import current_language

log = logging.getLogger(__name__)
EVENT_ID = re.compile(r"[0-9]{1,20}")  # the service's ids are increasing integers
_EVENT_END = (b"\n\n", b"\r\n\r\n", b"\r\r")
LAST_EVENT_ID = "Last-Event-ID"


class StreamUnavailable(Exception):
    """No stream: the service could not be reached, or answered other than 200."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def last_event_id(value: str | None) -> str | None:
    """The browser's Last-Event-ID when it is one of the service's ids, else None."""
    value = (value or "").strip()
    return value if EVENT_ID.fullmatch(value) else None


class EventStreams:
    """Opens the service's event streams as a given user."""

    def __init__(self, target: str, base_url: str, connect_timeout_s: float, idle_s: float):
        self.target = target
        self.http = httpx.AsyncClient(
            base_url=base_url,
            # read: the longest wait for the next bytes (the service pings every 15 s)
            timeout=httpx.Timeout(connect_timeout_s, read=idle_s),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=10),
        )

    async def open(
        self, path: str, access_token: str, last_id: str | None = None
    ) -> httpx.Response:
        """The upstream response, its body not read yet; the caller closes it."""
        headers = {
            "Accept": "text/event-stream",
            "Authorization": f"Bearer {access_token}",
            "Accept-Language": current_language(),
            "Cache-Control": "no-store",
        }
        if last_id:
            headers[LAST_EVENT_ID] = last_id
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        request = self.http.build_request("GET", path, headers=headers)
        try:
            response = await self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise StreamUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            await response.aclose()
            raise StreamUnavailable(f"HTTP {response.status_code}", response.status_code)
        return response

    async def aclose(self) -> None:
        await self.http.aclose()


def retry_only(retry_ms: int, reason: str) -> StreamingResponse:
    """A stream that only says when to come back (the service is away): EventSource
    reconnects after `retry_ms`, where an error status would make it give up for good."""
    body = f"retry: {retry_ms}\n: {reason}\n\n".encode()

    async def once() -> AsyncIterator[bytes]:
        yield body

    return StreamingResponse(once(), media_type="text/event-stream", headers=_HEADERS)


_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


class RelayedEvents(StreamingResponse):
    """The upstream stream's bytes as they come, until `until` (time.monotonic()) has passed
    and an event has ended, or either side goes away."""

    def __init__(self, upstream: httpx.Response, *, until: float, retry_ms: int) -> None:
        self.upstream = upstream
        self.until = until
        self.retry_ms = retry_ms
        self._events = self._relay()
        super().__init__(self._events, media_type="text/event-stream", headers=_HEADERS)

    async def _relay(self) -> AsyncGenerator[bytes, None]:
        yield f"retry: {self.retry_ms}\n\n".encode()
        tail = b""
        try:
            async for chunk in self.upstream.aiter_raw():
                yield chunk
                tail = (tail + chunk)[-4:]
                if time.monotonic() >= self.until and tail.endswith(_EVENT_END):
                    return
        except httpx.HTTPError as exc:  # quiet too long, or cut off: the browser reconnects
            log.info("notifications stream ended", extra={"reason": type(exc).__name__})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Relays until the upstream ends or the browser disconnects, whichever comes first
        (whatever the ASGI server's version), then closes the upstream stream."""
        try:
            async with anyio.create_task_group() as group:

                async def relay() -> None:
                    # the browser is gone: ASGI 2.4 servers say so by raising OSError here
                    with contextlib.suppress(OSError):
                        await self.stream_response(send)
                    group.cancel_scope.cancel()

                async def watch() -> None:
                    await self.listen_for_disconnect(receive)
                    group.cancel_scope.cancel()

                group.start_soon(relay)
                group.start_soon(watch)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()
                await self.upstream.aclose()
