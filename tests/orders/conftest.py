from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from servicedesk.orders.app import create_app
from servicedesk.orders.settings import OrdersSettings
from tests.support.apps import serve

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
async def orders_api() -> AsyncIterator[httpx.AsyncClient]:
    """Orders in-process; its client checks can only use the event-fed projection."""
    async with serve(create_app(OrdersSettings(clients_url=UNREACHABLE))) as client:
        yield client
