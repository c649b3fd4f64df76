"""The console as browsers reach it: the web service on http://localhost:8000, the only address
the realm's redirect URIs allow, with the services behind it.

When something already listens on :8000 (a developer's `./sd up`), that stack is used as it is:
restart its web process after changing the web code (`.venv/bin/supervisorctl -c
var/supervisord.conf restart web`). Otherwise the web service is started on :8000 for the test
session, with tickets, clients, orders, migration and legacy on ports 28001–28005 (logs in
test-artifacts/logs/), and stopped at the end.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

from servicedesk.ops.catalogue import by_name
from tests.support.processes import RunningService, start_service, stop, wait_ready

WEB_PORT = 8000
WEB_URL = f"http://localhost:{WEB_PORT}"
PORT_OFFSET = 20000  # tickets on 28001 …; test_stack.py uses 18000–18005
BACKENDS = ("clients", "orders", "legacy", "migration", "tickets")


@dataclass
class LiveStack:
    web_url: str
    tickets_url: str
    migration_url: str
    reused: bool
    started: list[RunningService] = field(default_factory=list)

    def stop(self) -> None:
        for service in reversed(self.started):
            stop(service)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _url(name: str) -> str:
    return f"http://127.0.0.1:{by_name(name).port + PORT_OFFSET}"


async def start_live_stack() -> LiveStack:
    if listening(WEB_PORT):
        return LiveStack(WEB_URL, "http://127.0.0.1:8001", "http://127.0.0.1:8004", reused=True)
    environments = {
        "migration": {
            "SD_MIGRATION_CLIENTS_URL": _url("clients"),
            "SD_MIGRATION_ORDERS_URL": _url("orders"),
            "SD_MIGRATION_LEGACY_URL": _url("legacy"),
        },
        "tickets": {"SD_TICKETS_MIGRATION_URL": _url("migration")},
    }
    stack = LiveStack(WEB_URL, _url("tickets"), _url("migration"), reused=False)
    for name in BACKENDS:
        port = by_name(name).port + PORT_OFFSET
        stack.started.append(start_service(name, port, environments.get(name)))
    web_environment = {
        "SD_WEB_TICKETS_URL": stack.tickets_url,
        "SD_WEB_MIGRATION_URL": stack.migration_url,
    }
    stack.started.append(start_service("web", WEB_PORT, web_environment))
    try:
        responses = await asyncio.gather(*(wait_ready(s) for s in stack.started))
    except BaseException:
        stack.stop()
        raise
    unready = [
        s.name for s, r in zip(stack.started, responses, strict=True) if r.status_code != 200
    ]
    if unready:
        stack.stop()
        raise RuntimeError(f"not ready: {unready} (logs in test-artifacts/logs/)")
    return stack
