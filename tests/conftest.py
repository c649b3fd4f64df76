"""Session-wide checks: the real services must be up (`./sd test` starts them), the tests' own
database is made ready, and the demo data must be left as they were."""

from __future__ import annotations

import os

from tests.support.isolation import ENVIRONMENT

# Before anything of servicedesk is imported: service settings read these at import time.
os.environ.update(ENVIRONMENT)

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from servicedesk.clients.app import create_app as create_clients_app
from tests.support.apps import serve
from tests.support.database import prepare_test_database
from tests.support.demo import DEMO_BEFORE, demo_snapshot
from tests.support.live_web import LiveStack, start_live_stack
from tests.support.tokens import TokenShop

REQUIRED = {
    "PostgreSQL primary": 5432,
    "PostgreSQL standby": 5433,
    "Redis": 6379,
    "RabbitMQ": 5672,
    "Keycloak": 8080,
    "Postfix (SMTP)": 2525,
    "Dovecot (IMAP)": 1143,
}


def pytest_sessionstart(session: pytest.Session) -> None:
    down = []
    for name, port in REQUIRED.items():
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                down.append(f"{name} (:{port})")
    if down:
        pytest.exit(f"not running: {', '.join(down)}. Run the tests with `./sd test`.", 2)
    asyncio.run(prepare_test_database())
    session.config.stash[DEMO_BEFORE] = asyncio.run(demo_snapshot())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the live stack (tests/web, tests/e2e) run last, so that its service processes
    (event consumers, outbox relays, SLA timers) start only after every other test is done."""
    live = [item for item in items if "live_stack" in getattr(item, "fixturenames", ())]
    if live:
        others = [item for item in items if "live_stack" not in getattr(item, "fixturenames", ())]
        items[:] = others + live
    # The check that the demo data are untouched comes after everything else.
    last = [item for item in items if item.path.name == "test_demo_untouched.py"]
    items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def tokens() -> TokenShop:
    return TokenShop()


@pytest.fixture(scope="session")
async def clients_api() -> AsyncIterator[httpx.AsyncClient]:
    """The clients service in-process, its outbox relay included."""
    async with serve(create_clients_app()) as client:
        yield client


@pytest.fixture(scope="session")
async def live_stack() -> AsyncIterator[LiveStack]:
    """The web console on http://localhost:8000 and the services behind it, as processes of the
    test session on the tests' data (see tests/support/live_web.py); never the `./sd up` stack."""
    stack = await start_live_stack()
    yield stack
    stack.stop()
