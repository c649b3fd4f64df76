"""HTTP endpoints of the orders service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, NotFound, ServiceUnavailable, problems
from servicedesk.kernel.pagination import (
    MAX_PAGE_SIZE,
    Page,
    RecordStats,
    decode_cursor,
    encode_cursor,
    json_response,
)
from servicedesk.orders import service
from servicedesk.orders.auth import OrderImporter, OrderReader, OrderWriter
from servicedesk.orders.client_directory import ClientDirectory
from servicedesk.orders.models import Order
from servicedesk.orders.repository import NUMBER_QUERY, OrderRepository, RecentKey
from servicedesk.orders.schemas import (
    BulkOrderUpsert,
    OrderCreate,
    OrderMatch,
    OrderOut,
    OrderUpsertResult,
)

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str | None, Query(max_length=512)]


def _directory(request: Request) -> ClientDirectory:
    directory: ClientDirectory = request.app.state.client_directory
    return directory


def _recent_key(cursor: str | None, kind: str) -> RecentKey | None:
    if cursor is None:
        return None
    created, order_id = decode_cursor(cursor, kind, 2)
    return datetime.fromisoformat(created), uuid.UUID(order_id)


def _recent_page(orders: list[Order], limit: int, kind: str) -> Page[OrderOut]:
    last = orders[-1] if len(orders) == limit else None
    return Page(
        items=[OrderOut.model_validate(o) for o in orders],
        next_cursor=encode_cursor(kind, [last.created_at.isoformat(), str(last.id)])
        if last
        else None,
    )


@router.get("", response_model=Page[OrderOut])
async def list_orders(
    _: OrderReader,
    session: ReadSessionDep,
    client_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OrderOut]:
    """Newest first; with client_id, that client's orders only."""
    kind = f"orders-of:{client_id}" if client_id else "orders-recent"
    after = _recent_key(cursor, kind)
    repository = OrderRepository(session)
    if client_id is not None:
        orders = await repository.of_client(client_id, after, limit)
    else:
        orders = await repository.recent(after, limit)
    return _recent_page(list(orders), limit, kind)


@router.get("/search", response_model=Page[OrderMatch])
async def search_orders(
    _: OrderReader,
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="number or any words")],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[OrderMatch]:
    """An order number (or its start) finds by number; other text searches number, client name
    and item titles, tolerating typos, best match first."""
    repository = OrderRepository(session)
    if NUMBER_QUERY.match(q.strip()):
        kind = f"orders-number:{q}"
        after = decode_cursor(cursor, kind, 1)[0] if cursor else None
        found = await repository.by_number_prefix(q.strip(), after, limit)
        items = [OrderMatch(**OrderOut.model_validate(o).model_dump(), score=1.0) for o in found]
        last = found[-1].number if len(found) == limit else None
        return Page(items=items, next_cursor=encode_cursor(kind, [last]) if last else None)
    kind = f"orders-text:{q}"
    key = decode_cursor(cursor, kind, 3) if cursor else None
    after = (float(key[0]), datetime.fromisoformat(key[1]), uuid.UUID(key[2])) if key else None
    matches = await repository.by_text(q, after, limit)
    items = [
        OrderMatch(**OrderOut.model_validate(o).model_dump(), score=score) for o, score in matches
    ]
    next_cursor = None
    if len(matches) == limit:
        order, score = matches[-1]
        next_cursor = encode_cursor(kind, [score, order.created_at.isoformat(), str(order.id)])
    return Page(items=items, next_cursor=next_cursor)


@router.get("/by-external-ids", response_model=list[OrderOut])
async def get_orders_by_external_ids(
    _: OrderReader,
    session: ReadSessionDep,
    external_id: Annotated[list[str], Query(min_length=1, max_length=200)],
) -> Response:
    """The orders we hold among these legacy ids (those we do not hold are left out)."""
    found = await OrderRepository(session).by_external_ids(external_id)
    return json_response([OrderOut.model_validate(o) for o in found.values()])


@router.get("/stats", response_model=RecordStats)
async def order_stats(_: OrderReader, session: ReadSessionDep) -> RecordStats:
    """How many orders we hold, and how many of them came from the legacy system."""
    total, from_legacy = await OrderRepository(session).stats()
    return RecordStats(total=total, from_legacy=from_legacy)


@router.get("/by-external-id/{external_id}", response_model=OrderOut, responses=problems(NotFound))
async def get_order_by_external_id(
    external_id: str, _: OrderReader, session: ReadSessionDep
) -> OrderOut:
    order = await OrderRepository(session).get_by_external_id(external_id)
    if order is None:
        raise service.OrderNotFound(f"no order has external_id {external_id!r}")
    return OrderOut.model_validate(order)


@router.get("/{order_id}", response_model=OrderOut, responses=problems(NotFound))
async def get_order(order_id: uuid.UUID, _: OrderReader, session: ReadSessionDep) -> OrderOut:
    order = await OrderRepository(session).get(order_id)
    if order is None:
        raise service.OrderNotFound(f"order {order_id} does not exist")
    return OrderOut.model_validate(order)


@router.post("", response_model=OrderOut, status_code=201, responses=problems(ServiceUnavailable))
async def create_order(
    data: OrderCreate,
    actor: OrderWriter,
    session: WriteSessionDep,
    request: Request,
    response: Response,
) -> OrderOut:
    """The client must exist (422 otherwise); the number is given out by the service."""
    order = await service.create_order(session, data, actor, _directory(request))
    response.headers["Location"] = f"{router.prefix}/{order.id}"
    return OrderOut.model_validate(order)


@router.post(
    "/bulk-upsert",
    response_model=list[OrderUpsertResult],
    responses=problems(Conflict, ServiceUnavailable),
)
async def bulk_upsert_orders(
    body: BulkOrderUpsert, actor: OrderImporter, session: WriteSessionDep, request: Request
) -> list[OrderUpsertResult]:
    """Legacy orders by external_id: created once; their clients must already be ours."""
    return await service.bulk_upsert_orders(session, body, actor, _directory(request))
