"""Our clients, orders and legacy services and the migration proxy in front of them, as processes
on ports of their own: the upstream a tickets or migration app in-process calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from tests.support.processes import start_service, stop, wait_ready


@asynccontextmanager
async def running_upstream(ports: Mapping[str, int]) -> AsyncIterator[dict[str, str]]:
    """Starts `clients`, `legacy`, `orders` and `migration` on `ports` (by name); their URLs."""
    clients = start_service("clients", ports["clients"])
    legacy = start_service("legacy", ports["legacy"])
    orders = start_service("orders", ports["orders"], {"SD_ORDERS_CLIENTS_URL": clients.url})
    migration = start_service(
        "migration",
        ports["migration"],
        {
            "SD_MIGRATION_CLIENTS_URL": clients.url,
            "SD_MIGRATION_ORDERS_URL": orders.url,
            "SD_MIGRATION_LEGACY_URL": legacy.url,
        },
    )
    running = (clients, legacy, orders, migration)
    try:
        for service in running:
            await wait_ready(service)
        yield {s.name: s.url for s in running}
    finally:
        for service in running:
            stop(service)
