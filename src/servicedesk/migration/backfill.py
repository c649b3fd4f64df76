"""Backfill: every remaining legacy record moved through the same idempotent path as on use.

Customers first, then orders (parents before children), page by page in the legacy system's
own order; after each page, where it got to is saved, so a stopped run resumes there. A rate
limit keeps the legacy system's load in bounds. Records that cannot be translated are counted
and skipped, never guessed at.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from servicedesk.migration.adapters.legacy_api import LegacyOrder
from servicedesk.migration.metrics import RECORDS_MOVED
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.repository import Checkpoint, Checkpoints
from servicedesk.migration.schemas import ClientRecord, OrderRecord
from servicedesk.migration.translation import (
    TranslationError,
    client_from_legacy,
    customer_external_id,
    order_from_legacy,
)

__all__ = ["Backfill", "BackfillProgress", "Checkpoint", "Checkpoints"]

ENTITIES = ("clients", "orders")


class BackfillProgress(Protocol):
    def start(self, entity: str, total: int, done: int) -> None: ...

    def advance(self, entity: str, rows: int) -> None: ...


@dataclass
class Backfill:
    side: LegacySide
    ours: Ours
    checkpoints: Checkpoints
    progress: BackfillProgress
    page_size: int = 200
    rate_per_s: float = 500.0  # records a second at most
    segment: str | None = None  # only customers with a name word starting so, and their orders

    async def run(self) -> dict[str, Checkpoint]:
        return {
            "clients": await self._entity("clients", self._clients_page),
            "orders": await self._entity("orders", self._orders_page),
        }

    async def _entity(
        self, entity: str, page: Callable[[int], Awaitable[tuple[int, list[str]]]]
    ) -> Checkpoint:
        point = await self.checkpoints.load(f"{entity}:{self.segment}" if self.segment else entity)
        total, _ = await page(-1)  # the size only
        self.progress.start(entity, total, point.legacy_offset)
        while point.legacy_offset < total:
            started = time.monotonic()
            read, outcomes = await page(point.legacy_offset)
            point.legacy_offset += read
            point.moved += outcomes.count("created")
            RECORDS_MOVED.labels(entity, "backfill").inc(outcomes.count("created"))
            point.kept += outcomes.count("kept")
            point.failed += outcomes.count("failed")
            await self.checkpoints.save(point)
            self.progress.advance(entity, read)
            if read == 0:
                break
            await asyncio.sleep(max(0.0, read / self.rate_per_s - (time.monotonic() - started)))
        return point

    async def _clients_page(self, offset: int) -> tuple[int, list[str]]:
        count = 1 if offset < 0 else self.page_size
        page = await self.side.client.search_customers(
            name=self.segment, offset=max(offset, 0), count=count
        )
        if offset < 0:
            return page.total, []
        records: list[ClientRecord] = []
        outcomes: list[str] = []
        for customer in page.rows:
            try:
                records.append(client_from_legacy(customer))
            except TranslationError:
                outcomes.append("failed")
        if records:
            results = await self.ours.clients.move_in(records, self.ours.service_auth)
            outcomes += [r.outcome for r in results]
        return len(page.rows), outcomes

    async def _orders_page(self, offset: int) -> tuple[int, list[str]]:
        if self.segment is not None:
            return await self._segment_orders_page(offset)
        count = 1 if offset < 0 else self.page_size
        page = await self.side.client.list_orders(offset=max(offset, 0), count=count)
        if offset < 0:
            return page.total, []
        return len(page.rows), await self._move_orders(page.rows)

    async def _segment_orders_page(self, offset: int) -> tuple[int, list[str]]:
        """A segment's orders, customer by customer: the offset counts customers here."""
        page = await self.side.client.search_customers(
            name=self.segment, offset=max(offset, 0), count=1 if offset < 0 else 20
        )
        if offset < 0:
            return page.total, []
        outcomes: list[str] = []
        for customer in page.rows:
            orders = await self.side.client.list_orders(customer_id=customer.customer_id, count=500)
            outcomes += await self._move_orders(orders.rows)
        return len(page.rows), outcomes

    async def _move_orders(self, rows: list[LegacyOrder]) -> list[str]:
        clients = await self._our_clients({o.customer_id for o in rows})
        records: list[OrderRecord] = []
        outcomes: list[str] = []
        for order in rows:
            client_id = clients.get(order.customer_id)
            try:
                if client_id is None:
                    raise TranslationError(f"customer {order.customer_id} is not ours")
                records.append(order_from_legacy(order, client_id))
            except TranslationError:
                outcomes.append("failed")
        if records:
            results = await self.ours.orders.move_in(records, self.ours.service_auth)
            outcomes += [r.outcome for r in results]
        return outcomes

    async def _our_clients(self, customer_ids: set[int]) -> dict[int, uuid.UUID]:
        by_external = {customer_external_id(c): c for c in customer_ids}
        held = await self.ours.clients.held(list(by_external), self.ours.service_auth)
        return {by_external[e]: c.id for e, c in held.items()}
