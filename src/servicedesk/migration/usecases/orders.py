"""The seed's rules for orders: like clients. A client's orders come from both systems; a new
order for a legacy-only client moves that client in first."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.migration.adapters.legacy_api import LegacyOrder
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import (
    Forwarded,
    JsonObject,
    OrderItem,
    OrderMatches,
    OrderPage,
    OrderRecord,
    OurOrder,
)
from servicedesk.migration.translation import (
    TranslationError,
    customer_external_id,
    legacy_customer_id,
    order_from_legacy,
)
from servicedesk.migration.usecases.clients import our_id
from servicedesk.migration.usecases.legacy_reads import read_records
from servicedesk.migration.usecases.moving import move_customer
from servicedesk.migration.usecases.union_pages import (
    ORDER_CURSORS,
    start_or_resume,
    union_page,
)

UNKNOWN_CLIENT = uuid.UUID(int=0)  # a legacy-only order's client is not ours yet


class ClientNotFound(NotFound):
    code = "client-not-found"


def translated(order_rows: Sequence[LegacyOrder], client_id: uuid.UUID) -> list[OrderRecord]:
    """The legacy orders as ours (of `client_id`), leaving out those that cannot be."""
    records = []
    for order in order_rows:
        try:
            records.append(order_from_legacy(order, client_id))
        except TranslationError:
            continue
    return records


async def _both_ids(reference: str, ours: Ours) -> tuple[uuid.UUID | None, int | None]:
    """Our id and legacy id of a client named either way (either may be missing)."""
    client_id = our_id(reference)
    if client_id is not None:
        client = await ours.clients.get(client_id, ours.service_auth)
        if client is None:
            raise ClientNotFound(_t("client {client_id} does not exist", client_id=client_id))
        external_id = client.external_id
        return client_id, legacy_customer_id(external_id) if external_id else None
    customer_id = legacy_customer_id(reference)
    if customer_id is None:
        raise ClientNotFound(
            _t("{reference!r} is neither our client id nor a legacy id", reference=reference)
        )
    external_id = customer_external_id(customer_id)
    held = (await ours.clients.held([external_id], ours.service_auth)).get(external_id)
    return (held.id if held else None), customer_id


async def orders_of_client(
    reference: str, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> OrderPage:
    """The client's orders we hold, newest first, then the ones only the legacy system has."""
    client_id, customer_id = await _both_ids(reference, ours)
    mine = await ours.orders.of_client(client_id, limit, user) if client_id else []
    legacy: list[OrderRecord] = []
    partial = None
    if customer_id is not None:

        async def fetch() -> list[OrderRecord]:
            page = await side.client.list_orders(customer_id=customer_id, count=limit)
            return translated(page.rows, client_id or UNKNOWN_CLIENT)

        key = f"orders-of:{customer_id}:{limit}"
        legacy, partial = await read_records(side, key, OrderRecord, fetch)
    held = {o.external_id for o in mine if o.external_id}
    items = [OrderItem.ours(o) for o in mine]
    items += [OrderItem.legacy(o, client_id) for o in legacy if o.external_id not in held]
    return OrderPage(items=items, next_cursor=None, partial=partial)


async def create_order(
    body: JsonObject, user: httpx.Auth, ours: Ours, side: LegacySide
) -> Forwarded:
    """New orders are ours; one for a legacy-only client (`LC-<n>`) moves the client in first."""
    client = str(body.get("client_id", ""))
    customer_id = legacy_customer_id(client) if our_id(client) is None else None
    if customer_id is not None:
        moved = await move_customer(customer_id, side, ours)
        body = {**body, "client_id": str(moved.id)}
    return await ours.orders.create(body, user)


async def search_orders(
    query: str, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> OrderMatches:
    """Ours (number or words), then a legacy order with exactly that number, if only it has it."""
    mine = await ours.orders.search(query, limit, user)

    async def fetch() -> list[OrderRecord]:
        page = await side.client.list_orders(number=query.strip(), count=limit)
        return translated(page.rows, UNKNOWN_CLIENT)

    key = f"orders-number:{query.strip()}"
    legacy, partial = await read_records(side, key, OrderRecord, fetch)
    held = {o.external_id for o in mine if o.external_id}
    for record in legacy:
        if record.external_id in held:
            continue
        if await ours.orders.by_external_id(record.external_id, ours.service_auth) is not None:
            held.add(record.external_id)
    items = [OrderItem.ours(o) for o in mine]
    items += [OrderItem.legacy(o, None) for o in legacy if o.external_id not in held]
    return OrderMatches(items=items, partial=partial)


@dataclass
class OurOrderPages:
    ours: Ours
    user: httpx.Auth

    async def page(self, cursor: str | None, limit: int) -> tuple[list[OurOrder], str | None]:
        return await self.ours.orders.page(cursor, limit, self.user)

    async def held(self, external_ids: list[str]) -> dict[str, OurOrder]:
        return await self.ours.orders.held(external_ids, self.ours.service_auth)

    def item(self, record: OurOrder) -> OrderItem:
        return OrderItem.ours(record, with_migrated=False)


@dataclass
class LegacyOrderPages:
    side: LegacySide

    async def page(self, offset: int, limit: int) -> tuple[list[OrderItem], int]:
        rows = (await self.side.client.list_orders(offset=offset, count=limit)).rows
        items = [OrderItem.legacy(r, None) for r in translated(rows, UNKNOWN_CLIENT)]
        return items, len(rows)


async def list_orders(
    cursor: str | None, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> OrderPage:
    """Every order of both systems, a page at a time, each once while orders migrate."""
    position = start_or_resume(ORDER_CURSORS, cursor)
    pages = OurOrderPages(ours, user)
    page = await union_page(pages, LegacyOrderPages(side), position, limit, ORDER_CURSORS)
    return OrderPage(items=page.items, next_cursor=page.next_cursor, partial=page.partial)
