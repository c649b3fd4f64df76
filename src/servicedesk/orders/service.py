"""The rules of orders: a real client, a number, a total that adds up; legacy imports once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import Conflict, InvalidInput, NotFound, invalid_field
from servicedesk.kernel.i18n import _t
from servicedesk.orders.client_directory import ClientDirectory
from servicedesk.orders.events import order_created
from servicedesk.orders.models import KnownClient, Order
from servicedesk.orders.repository import NUMBER_QUERY, OrderRepository, search_text_of
from servicedesk.orders.schemas import (
    BulkOrderUpsert,
    OrderCreate,
    OrderMatchesAfter,
    OrderNumbersAfter,
    OrdersNewestAfter,
    OrderUpsertResult,
)


class OrderNotFound(NotFound):
    code = "order-not-found"


class UnknownClient(InvalidInput):
    code = "unknown-client"

    def __init__(self, client_id: uuid.UUID, field: str = "client_id") -> None:
        named = invalid_field(field, _t("no client {client_id} exists", client_id=client_id))
        super().__init__(named.detail, extra=named.extra)


def searches_by_number(query: str) -> bool:
    """An order number, or its start ("ORD-00012"), is searched by number, else by text."""
    return NUMBER_QUERY.match(query.strip()) is not None


async def newest_orders(
    session: ReadSession,
    client_id: uuid.UUID | None,
    after: OrdersNewestAfter | None,
    limit: int,
) -> Sequence[Order]:
    """Newest first; with client_id, that client's orders only."""
    repository = OrderRepository(session)
    if client_id is not None:
        return await repository.of_client(client_id, after, limit)
    return await repository.recent(after, limit)


async def orders_by_number(
    session: ReadSession, query: str, after: OrderNumbersAfter | None, limit: int
) -> Sequence[Order]:
    return await OrderRepository(session).by_number_prefix(query.strip(), after, limit)


async def orders_by_text(
    session: ReadSession, query: str, after: OrderMatchesAfter | None, limit: int
) -> list[tuple[Order, float]]:
    return await OrderRepository(session).by_text(query, after, limit)


async def order_by_id(session: ReadSession, order_id: uuid.UUID) -> Order:
    missing = OrderNotFound(_t("order {order_id} does not exist", order_id=order_id))
    return await OrderRepository(session).require(order_id, missing)


async def order_by_external_id(session: ReadSession, external_id: str) -> Order:
    missing = OrderNotFound(_t("no order has external_id {external_id!r}", external_id=external_id))
    return await OrderRepository(session).require_by_external_id(external_id, missing)


async def orders_by_external_ids(session: ReadSession, external_ids: list[str]) -> list[Order]:
    return list((await OrderRepository(session).by_external_ids(external_ids)).values())


async def order_stats(session: ReadSession) -> tuple[int, int]:
    return await OrderRepository(session).stats()


def _order_row(data: OrderCreate, client: KnownClient, number: str, actor: str) -> dict[str, Any]:
    items = [item.model_dump(mode="json") for item in data.items]
    return {
        "id": uuid.uuid4(),
        "number": number,
        "client_id": client.id,
        "client_name": client.display_name,
        "status": data.status.value,
        "total_amount": data.total_amount,
        "currency": data.currency,
        "items": items,
        "created_by": actor,
        "search_text": search_text_of(number, client.display_name, [i["title"] for i in items]),
    }


async def create_order(
    session: WriteSession, data: OrderCreate, actor: Principal, directory: ClientDirectory
) -> Order:
    client = await directory.find(session, data.client_id)
    if client is None:
        raise UnknownClient(data.client_id)
    repository = OrderRepository(session)
    number = await repository.next_number()
    order = await repository.add(Order(**_order_row(data, client, number, actor.username)))
    await order_created(session, order)
    return order


async def bulk_upsert_orders(
    session: WriteSession, request: BulkOrderUpsert, actor: Principal, directory: ClientDirectory
) -> list[OrderUpsertResult]:
    """Creates the legacy orders we lack; orders already held win and are left as they are."""
    repository = OrderRepository(session)
    clients = await repository.known_clients({r.client_id for r in request.records})
    for position, record in enumerate(request.records):
        if record.client_id not in clients:
            found = await directory.find(session, record.client_id)
            if found is None:
                raise UnknownClient(record.client_id, f"records.{position}.client_id")
            clients[found.id] = found
    rows = []
    for record in request.records:
        row = _order_row(record, clients[record.client_id], record.number, actor.username)
        row["external_id"] = record.external_id
        row["moved_at"] = datetime.now(UTC)
        if record.created_at is not None:
            row["created_at"] = record.created_at
        rows.append(row)
    try:
        async with session.begin_nested():
            created = await repository.insert_new(rows)
    except IntegrityError:
        raise Conflict(_t("an order number in this batch belongs to another order")) from None
    orders = await repository.by_external_ids([r.external_id for r in request.records])
    results = []
    for record in request.records:
        order = orders[record.external_id]
        if record.external_id in created:
            await order_created(session, order)
        outcome = "created" if record.external_id in created else "kept"
        results.append(
            OrderUpsertResult(
                external_id=record.external_id, id=order.id, number=order.number, outcome=outcome
            )
        )
    return results
