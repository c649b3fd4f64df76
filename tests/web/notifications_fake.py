"""A stand-in for the notifications service's HTTP API, for the console's own tests: the same
paths and shapes (docs of the service's API), kept in memory, served by uvicorn on a free port.

It lets the console's pages be tested for what they do with each answer (a 422 naming a field,
an empty list, a stream that replays from Last-Event-ID) without the service's rules; the
console with the real service is tested in test_notifications_live.py and the browser test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from servicedesk.web.app import create_app
from servicedesk.web.settings import WebSettings
from tests.support.live_web import WEB_URL
from tests.web.browsing import sign_in

EVENTS = ("incident_assigned", "incident_commented", "mentioned")
SCOPES = ("mine", "watched")
CHANNELS = ("in_app", "email", "telegram")
LOCKED = {"incident_assigned": ["in_app"], "mentioned": ["in_app"]}
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a service that is down


def notification(number: int, *, read: bool = False, key: str = "INC-000123") -> dict[str, Any]:
    created = START + timedelta(minutes=number)
    return {
        "id": number,
        "kind": "incident_assigned",
        "title": f"Вам назначен {key} (№{number})",
        "body": "Принтер на 3 этаже печатает пустые листы",
        "link": f"/incidents/{key}",
        "aggregate_type": "incident",
        "aggregate_id": "0e6f2a52-7d1c-4b8e-9a0f-3c5d7e9b1a21",
        "key": key,
        "actor": "agent2",
        "priority": "high",
        "created_at": created.isoformat(),
        "read_at": (created + timedelta(minutes=1)).isoformat() if read else None,
    }


def default_preferences() -> dict[str, Any]:
    return {
        "events": [{"id": e, "label": f"Событие {e}"} for e in EVENTS],
        "scopes": [{"id": s, "label": f"Область {s}"} for s in SCOPES],
        "channels": [{"id": c, "label": f"Канал {c}"} for c in CHANNELS],
        "matrix": {
            "incident_assigned": {"mine": ["in_app", "email"], "watched": ["in_app"]},
            "incident_commented": {"mine": ["in_app"], "watched": []},
            "mentioned": {"mine": ["in_app"], "watched": ["in_app"]},
        },
        "locked": LOCKED,
        "quiet_hours": {"enabled": False, "start": "22:00", "end": "08:00"},
        "timezone": "Europe/Moscow",
        "daily_summary": False,
        "role": "agent",
    }


def _problem(status: int, field_name: str, reason: str) -> JSONResponse:
    body = {
        "type": "https://servicedesk.local/problems/validation-error",
        "title": "Unprocessable",
        "status": status,
        "detail": f"{field_name}: {reason}",
        "errors": [{"field": field_name, "reason": reason}],
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _username(request: Request) -> str:
    """The token's preferred_username (the fake trusts it: the console got it from Keycloak)."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    return str(claims.get("preferred_username", ""))


@dataclass
class FakeNotifications:
    items: list[dict[str, Any]] = field(default_factory=list)  # newest first
    preferences: dict[str, Any] = field(default_factory=default_preferences)
    watchers: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    stream_requests: list[dict[str, str]] = field(default_factory=list)
    events: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    streams_closed: int = 0
    url: str = ""
    down: bool = False

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item["read_at"] is None)

    def push(self, event: str, data: dict[str, Any], event_id: int | None = None) -> None:
        """An event for the open stream."""
        head = f"id: {event_id}\n" if event_id is not None else ""
        self.events.put_nowait(f"{head}event: {event}\ndata: {json.dumps(data)}\n\n")

    def calls(self) -> list[str]:
        return [f"{method} {path}" for method, path, _, _ in self.seen]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def record(request: Request, call_next: Any) -> Response:
            body = await request.body()
            query = f"?{request.url.query}" if request.url.query else ""
            self.seen.append(
                (request.method, request.url.path + query, dict(request.headers), body)
            )
            if self.down:
                return JSONResponse({"title": "down"}, status_code=503)
            if not request.headers.get("authorization", "").startswith("Bearer "):
                return JSONResponse({"title": "Unauthorized"}, status_code=401)
            response: Response = await call_next(request)
            return response

        @app.get("/api/v1/notifications")
        async def listing(
            unread_only: bool = False, limit: int = 20, before: int | None = None
        ) -> dict[str, Any]:
            found = [
                item
                for item in self.items
                if (before is None or item["id"] < before)
                and (not unread_only or item["read_at"] is None)
            ]
            return {"items": found[:limit], "unread": self.unread}

        @app.get("/api/v1/notifications/unread")
        async def unread() -> dict[str, int]:
            return {"unread": self.unread}

        @app.post("/api/v1/notifications/read-all")
        async def read_all() -> dict[str, int]:
            for item in self.items:
                item["read_at"] = item["read_at"] or START.isoformat()
            return {"unread": 0}

        @app.post("/api/v1/notifications/{number}/read", status_code=204)
        async def read(number: int) -> Response:
            for item in self.items:
                if item["id"] == number:
                    item["read_at"] = item["read_at"] or START.isoformat()
                    return Response(status_code=204)
            return JSONResponse({"title": "Not Found"}, status_code=404)

        @app.get("/api/v1/notifications/{number}/deliveries")
        async def deliveries(number: int) -> list[dict[str, Any]]:
            return [
                {
                    "channel": "email",
                    "status": "failed",
                    "due_at": START.isoformat(),
                    "attempts": 3,
                    "last_error": "550 mailbox unavailable",
                    "sent_at": None,
                    "reason": None,
                },
                {
                    "channel": "in_app",
                    "status": "sent",
                    "due_at": START.isoformat(),
                    "attempts": 1,
                    "last_error": None,
                    "sent_at": START.isoformat(),
                    "reason": None,
                },
            ]

        @app.get("/api/v1/preferences")
        async def preferences() -> dict[str, Any]:
            return self.preferences

        @app.put("/api/v1/preferences", response_model=None)
        async def put_preferences(request: Request) -> dict[str, Any] | JSONResponse:
            body = await request.json()
            refused = self._refusal(body)
            if refused is not None:
                return refused
            self.preferences = {**self.preferences, **body}
            return self.preferences

        @app.delete("/api/v1/preferences")
        async def reset() -> dict[str, Any]:
            self.preferences = default_preferences()
            return self.preferences

        @app.get("/api/v1/watch/{kind}/{aggregate_id}")
        async def watch(kind: str, aggregate_id: str, request: Request) -> dict[str, Any]:
            return self._watch(f"{kind}/{aggregate_id}", _username(request))

        @app.put("/api/v1/watch/{kind}/{aggregate_id}")
        async def start(kind: str, aggregate_id: str, request: Request) -> dict[str, Any]:
            key = f"{kind}/{aggregate_id}"
            self.watchers.setdefault(key, {})[_username(request)] = START.isoformat()
            return self._watch(key, _username(request))

        @app.delete("/api/v1/watch/{kind}/{aggregate_id}", status_code=204)
        async def stop(kind: str, aggregate_id: str, request: Request) -> Response:
            self.watchers.get(f"{kind}/{aggregate_id}", {}).pop(_username(request), None)
            return Response(status_code=204)

        @app.get("/api/v1/stream")
        async def stream(request: Request) -> StreamingResponse:
            self.stream_requests.append(dict(request.headers))
            after = int(request.headers.get("last-event-id") or 0)
            replay = [item for item in reversed(self.items) if item["id"] > after]

            async def events() -> AsyncIterator[bytes]:
                try:
                    yield b": hello\n\n"
                    for item in replay:
                        data = json.dumps({**item, "unread": self.unread})
                        yield f"id: {item['id']}\nevent: notification\ndata: {data}\n\n".encode()
                    while True:
                        try:
                            text = await asyncio.wait_for(self.events.get(), timeout=0.5)
                        except TimeoutError:
                            yield b": ping\n\n"
                            continue
                        if text == "END":
                            return
                        yield text.encode()
                finally:
                    self.streams_closed += 1

            return StreamingResponse(events(), media_type="text/event-stream")

        return app

    def _watch(self, key: str, username: str) -> dict[str, Any]:
        watching = self.watchers.get(key, {})
        return {
            "watching": username in watching,
            "watchers": [{"username": u, "since": s} for u, s in watching.items()],
        }

    def _refusal(self, body: dict[str, Any]) -> JSONResponse | None:
        quiet = body.get("quiet_hours") or {}
        for name in ("start", "end"):
            if name in quiet and not TIME.fullmatch(str(quiet[name])):
                return _problem(422, f"quiet_hours.{name}", "не время (ЧЧ:ММ)")
        if "timezone" in body:
            try:
                ZoneInfo(str(body["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                return _problem(422, "timezone", "неизвестный часовой пояс")
        for event, channels in LOCKED.items():
            for scope, chosen in (body.get("matrix") or {}).get(event, {}).items():
                missing = [c for c in channels if c not in chosen]
                if missing:
                    return _problem(422, f"matrix.{event}.{scope}", "нельзя отключить")
        return None


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free local port; its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


@asynccontextmanager
async def fake_notifications(
    items: list[dict[str, Any]] | None = None,
) -> AsyncIterator[FakeNotifications]:
    fake = FakeNotifications(items=list(items or []))
    async with served(fake.app()) as url:
        fake.url = url
        yield fake


@asynccontextmanager
async def console_signed_in(notifications_url: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The console in-process with the notifications service at `notifications_url` (the
    others down), and a browser with agent1 signed in."""
    settings = WebSettings(
        tickets_url=NOWHERE,
        migration_url=NOWHERE,
        channels_url=NOWHERE,
        notifications_url=notifications_url,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=WEB_URL) as browser:
            await sign_in(browser, "agent1", next_url="/profile")
            yield app, browser
