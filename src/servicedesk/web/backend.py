"""Calls to the services behind the console, with the signed-in user's own access token.

The services check the user's roles themselves. A refusal comes back as `BackendError`, carrying
the service's problem+json (status, code, detail and the field errors of a 422), so that a page
can show it next to the form field it is about. Every call sends the page's language as
Accept-Language: the services answer in it (details, validation reasons, history notes).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from servicedesk.kernel.calls import UserToken
from servicedesk.kernel.i18n import _t, catalogue, current_language
from servicedesk.kernel.service_client import RetryPolicy, ServiceClient, TargetUnavailable
from servicedesk.web.event_stream import EventStreams

log = logging.getLogger(__name__)
_REASON_CODE = re.compile(r"[a-z][a-z-]{1,30}")


@dataclass
class BackendError(Exception):
    """A service refused the call, or could not be reached (status 503)."""

    status: int
    detail: str
    code: str = "backend-error"
    title: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    service: str = ""
    problem: dict[str, Any] = field(default_factory=dict)  # the whole problem+json body

    def __str__(self) -> str:
        return f"{self.service}: {self.status} {self.detail}"

    @property
    def field_errors(self) -> dict[str, str]:
        """Reasons by field name (`title`, `client_ref`, …), for the form that was sent: the
        service's words (in the page's language already), a code such as `taken` in words."""
        found: dict[str, str] = {}
        for error in self.errors:
            name = str(error.get("field", ""))
            if name and name not in found:
                found[name] = _reason_in_words(str(error.get("reason", "")))
        return found


@dataclass(frozen=True, slots=True)
class BackendResponse:
    status: int
    data: Any  # the JSON body; None for an empty body
    headers: httpx.Headers

    @property
    def etag(self) -> str | None:
        etag: str | None = self.headers.get("etag")
        return etag


class ServiceApi:
    """One service, called as the signed-in user."""

    def __init__(self, name: str, client: ServiceClient, access_token: str) -> None:
        self.name = name
        self._client = client
        self._auth = UserToken(access_token)

    def _unreachable(self, exc: Exception) -> BackendError:
        detail = _t(
            "{service} is unreachable ({error})",
            service=self.name,
            error=exc.reason if isinstance(exc, TargetUnavailable) else type(exc).__name__,
        )
        return BackendError(503, detail, "unavailable", service=self.name)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self.send("GET", path, params=params)).data

    async def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return (await self.send("POST", path, json=json, headers=headers)).data

    async def patch(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return (await self.send("PATCH", path, json=json, headers=headers)).data

    async def put(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return (await self.send("PUT", path, json=json, headers=headers)).data

    async def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return (await self.send("DELETE", path, headers=headers)).data

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
        data: dict[str, Any] | None = None,
        deadline_s: float | None = None,
    ) -> BackendResponse:
        """Any call; the full answer (status, JSON, headers such as ETag) when it succeeded.
        `deadline_s`: every try within this time (the client's own when None)."""
        try:
            response = await self._client.request(
                method,
                path,
                params=params,
                json=json,
                headers=_with_language(headers),
                files=files,
                data=data,
                auth=self._auth,
                deadline_s=deadline_s,
            )
        except TargetUnavailable as exc:
            log.warning("backend unreachable", extra={"service": self.name, "path": path})
            raise self._unreachable(exc) from exc
        if response.status_code >= 400:
            raise _error_from(self.name, response)
        body = response.json() if response.content else None
        return BackendResponse(response.status_code, body, response.headers)

    async def open_stream(
        self, path: str, *, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A GET whose body is read as it comes (a download): the caller iterates
        `aiter_raw()` and must `aclose()` the response. A refusal raises BackendError."""
        http = self._client.http  # raw: a stream is not retried
        request = http.build_request("GET", path, params=params, headers=_with_language(None))
        try:
            response = await http.send(request, auth=self._auth, stream=True)
        except httpx.HTTPError as exc:
            log.warning("backend unreachable", extra={"service": self.name, "path": path})
            raise self._unreachable(exc) from exc
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise _error_from(self.name, response)
        return response


def _reason_in_words(reason: str) -> str:
    """`taken` → "уже занято" (the console's `reason.<code>`); other reasons as they came."""
    if not _REASON_CODE.fullmatch(reason):
        return reason
    return catalogue().text(current_language(), f"reason.{reason}", default=reason)


def _with_language(headers: dict[str, str] | None) -> dict[str, str]:
    """The headers of a call, with the language the page is shown in."""
    return {"Accept-Language": current_language(), **(headers or {})}


def _error_from(service: str, response: httpx.Response) -> BackendError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors")
    return BackendError(
        status=response.status_code,
        detail=str(body.get("detail") or response.reason_phrase),
        code=str(body.get("type", "")).rsplit("/", 1)[-1] or "backend-error",
        title=str(body.get("title", "")),
        errors=errors if isinstance(errors, list) else [],
        service=service,
        problem=body,
    )


class BackendClients:
    """The HTTP clients to the services, shared by all requests (connection pools)."""

    def __init__(
        self,
        tickets_url: str,
        migration_url: str,
        timeout_s: float,
        channels_url: str = "http://127.0.0.1:8006",  # the local stack's (WebSettings)
        notifications_url: str = "http://127.0.0.1:8007",
        stream_idle_s: float = 45.0,
    ) -> None:
        # reads that meet a restarting service (connect error, 502–504) are tried again,
        # within the time one call had before; writes only with an Idempotency-Key
        retry = RetryPolicy(deadline_s=timeout_s)
        self.tickets = ServiceClient("tickets", tickets_url, timeout_s=timeout_s, retry=retry)
        self.migration = ServiceClient("migration", migration_url, timeout_s=timeout_s, retry=retry)
        self.channels = ServiceClient("channels", channels_url, timeout_s=timeout_s, retry=retry)
        self.notifications = ServiceClient(
            "notifications", notifications_url, timeout_s=timeout_s, retry=retry
        )
        # the browsers' live streams: long-lived, so apart from the pool of ordinary calls
        self.notification_streams = EventStreams(
            "notifications", notifications_url, timeout_s, stream_idle_s
        )

    def for_user(self, access_token: str) -> Backend:
        return Backend(
            tickets=ServiceApi("tickets", self.tickets, access_token),
            migration=ServiceApi("migration", self.migration, access_token),
            channels=ServiceApi("channels", self.channels, access_token),
            notifications=ServiceApi("notifications", self.notifications, access_token),
        )

    async def close(self) -> None:
        await self.tickets.aclose()
        await self.migration.aclose()
        await self.channels.aclose()
        await self.notifications.aclose()
        await self.notification_streams.aclose()


@dataclass(frozen=True, slots=True)
class Backend:
    """What a page calls: `tickets` (incidents, problems, boards, filters…), `migration`
    (clients and orders, ours and legacy), `channels` (the user's Telegram and SMS
    identities, Telegram links) and `notifications` (the bell, preferences, watching)."""

    tickets: ServiceApi
    migration: ServiceApi
    channels: ServiceApi
    notifications: ServiceApi
