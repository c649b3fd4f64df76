from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from servicedesk.clients.app import create_app
from tests.support.apps import serve


@pytest.fixture(scope="session")
async def clients_api() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app()) as client:
        yield client
