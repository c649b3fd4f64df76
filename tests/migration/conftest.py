"""Our clients and orders services and the legacy simulator, as processes, for the proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.processes import start_service, stop, wait_ready


@pytest.fixture(scope="session")
async def upstream() -> AsyncIterator[tuple[str, str, str]]:
    """The URLs of clients, legacy and orders (orders asks this clients service on a miss)."""
    clients, legacy = start_service("clients", 18502), start_service("legacy", 18505)
    orders = start_service("orders", 18503, {"SD_ORDERS_CLIENTS_URL": clients.url})
    try:
        for service in (clients, legacy, orders):
            await wait_ready(service)
        yield clients.url, legacy.url, orders.url
    finally:
        for service in (clients, legacy, orders):
            stop(service)
