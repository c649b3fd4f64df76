"""HTTP endpoints of the orders service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from servicedesk.kernel.cursors import CursorCodec, CursorParam
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, NotFound, ServiceUnavailable, problems
from servicedesk.kernel.pagination import MAX_PAGE_SIZE, Page, RecordStats, json_response
from servicedesk.orders import service
from servicedesk.orders.auth import OrderImporter, OrderReader, OrderWriter
from servicedesk.orders.client_directory import ClientDirectory
from servicedesk.orders.schemas import (
    BulkOrderUpsert,
    OrderCreate,
    OrderMatch,
    OrderMatchesAfter,
    OrderNumbersAfter,
    OrderOut,
    OrdersNewestAfter,
    OrderUpsertResult,
)
from servicedesk.orders.state import orders_state

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
NEWEST = CursorCodec("orders-newest", OrdersNewestAfter)  # scope: the client_id, if any
BY_NUMBER = CursorCodec("orders-number", OrderNumbersAfter)  # scope: the search text
BY_TEXT = CursorCodec("orders-text", OrderMatchesAfter)  # scope: the search text


def _directory(request: Request) -> ClientDirectory:
    return orders_state(request).client_directory


@router.get("", response_model=Page[OrderOut])
async def list_orders(
    _: OrderReader,
    session: ReadSessionDep,
    client_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[OrderOut]:
    """Newest first; with client_id, that client's orders only."""
    scope = str(client_id) if client_id else ""
    orders = await service.newest_orders(session, client_id, NEWEST.decode(cursor, scope), limit)
    last = orders[-1] if len(orders) == limit else None
    return Page(
        items=[OrderOut.model_validate(o) for o in orders],
        next_cursor=NEWEST.encode(OrdersNewestAfter(created_at=last.created_at, id=last.id), scope)
        if last
        else None,
    )


@router.get("/search", response_model=Page[OrderMatch])
async def search_orders(
    _: OrderReader,
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="number or any words")],
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> Page[OrderMatch]:
    """An order number (or its start) finds by number; other text searches number, client name
    and item titles, tolerating typos, best match first."""
    if service.searches_by_number(q):
        found = await service.orders_by_number(session, q, BY_NUMBER.decode(cursor, q), limit)
        items = [OrderMatch(**OrderOut.model_validate(o).model_dump(), score=1.0) for o in found]
        last = found[-1].number if len(found) == limit else None
        return Page(
            items=items,
            next_cursor=BY_NUMBER.encode(OrderNumbersAfter(number=last), q) if last else None,
        )
    matches = await service.orders_by_text(session, q, BY_TEXT.decode(cursor, q), limit)
    items = [
        OrderMatch(**OrderOut.model_validate(o).model_dump(), score=score) for o, score in matches
    ]
    next_cursor = None
    if len(matches) == limit:
        order, score = matches[-1]
        after = OrderMatchesAfter(score=score, created_at=order.created_at, id=order.id)
        next_cursor = BY_TEXT.encode(after, q)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/by-external-ids", response_model=list[OrderOut])
async def get_orders_by_external_ids(
    _: OrderReader,
    session: ReadSessionDep,
    external_id: Annotated[list[str], Query(min_length=1, max_length=200)],
) -> Response:
    """The orders we hold among these legacy ids (those we do not hold are left out)."""
    found = await service.orders_by_external_ids(session, external_id)
    return json_response([OrderOut.model_validate(o) for o in found])


@router.get("/stats", response_model=RecordStats)
async def order_stats(_: OrderReader, session: ReadSessionDep) -> RecordStats:
    """How many orders we hold, and how many of them came from the legacy system."""
    total, from_legacy = await service.order_stats(session)
    return RecordStats(total=total, from_legacy=from_legacy)


@router.get("/by-external-id/{external_id}", response_model=OrderOut, responses=problems(NotFound))
async def get_order_by_external_id(
    external_id: str, _: OrderReader, session: ReadSessionDep
) -> OrderOut:
    return OrderOut.model_validate(await service.order_by_external_id(session, external_id))


@router.get("/{order_id}", response_model=OrderOut, responses=problems(NotFound))
async def get_order(order_id: uuid.UUID, _: OrderReader, session: ReadSessionDep) -> OrderOut:
    return OrderOut.model_validate(await service.order_by_id(session, order_id))


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
