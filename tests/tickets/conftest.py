"""The tickets service in-process, in front of real clients, orders, legacy and migration
processes (references are checked through the migration proxy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from servicedesk.tickets.app import create_app
from servicedesk.tickets.settings import TicketsSettings
from tests.support.apps import serve
from tests.support.processes import ARTIFACTS
from tests.support.upstream import running_upstream

PORTS = {"clients": 18602, "orders": 18603, "migration": 18604, "legacy": 18605}


@pytest.fixture(scope="session")
async def proxy_urls() -> AsyncIterator[dict[str, str]]:
    """URLs of the clients service, the legacy simulator and the migration proxy in front."""
    async with running_upstream(PORTS) as urls:
        yield urls


def tickets_settings(migration_url: str, **changes: object) -> TicketsSettings:
    folder: Path = ARTIFACTS / "attachments"
    return TicketsSettings(
        migration_url=migration_url,
        attachments_dir=folder,
        sla_check_interval_s=0.3,
        **changes,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
async def tickets_api(proxy_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(tickets_settings(proxy_urls["migration"]))) as client:
        yield client
