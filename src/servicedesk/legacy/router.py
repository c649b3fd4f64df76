"""The legacy API, `/legacy/api/v2`: customers and orders, read only, offset pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from servicedesk.kernel.deps import KeylessReadSessionDep
from servicedesk.legacy.auth import require_api_key
from servicedesk.legacy.errors import LegacyError, error_responses
from servicedesk.legacy.repository import LegacyRepository
from servicedesk.legacy.schemas import CustomerRow, LegacyPage, OrderRow
from servicedesk.legacy.state import inject_faults

MAX_COUNT = 500
router = APIRouter(
    prefix="/legacy/api/v2",
    tags=["legacy"],
    dependencies=[Depends(inject_faults), Depends(require_api_key)],
    responses=error_responses(400, 401, 500, 502, 503, 504),
)
Offset = Annotated[int, Query(ge=0, le=2**31)]
Count = Annotated[int, Query(ge=1, le=MAX_COUNT)]
LegacyId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# Reads on the standby when there is one: the legacy system takes no writes from us.
Session = KeylessReadSessionDep


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/customers", response_model=LegacyPage[CustomerRow])
async def list_customers(
    session: Session,
    name: Annotated[
        str | None,
        Query(max_length=200, description="prefix of any word of the full name, any case"),
    ] = None,
    offset: Offset = 0,
    count: Count = 50,
) -> Response:
    """Customers by CustomerID; `name` keeps those with a word starting with it (no ё/е
    folding, no typo tolerance; several words must follow one another in the name)."""
    total, rows = await LegacyRepository(session).customers(name, offset, count)
    return _json(
        LegacyPage[CustomerRow](Total=total, Offset=offset, Rows=[CustomerRow.of(r) for r in rows])
    )


@router.get("/customers/{customer_id}", response_model=CustomerRow, responses=error_responses(404))
async def get_customer(customer_id: LegacyId, session: Session) -> Response:
    row = await LegacyRepository(session).customer(customer_id)
    if row is None:
        raise LegacyError(404, f"Customer {customer_id} not found")
    return _json(CustomerRow.of(row))


@router.get("/orders", response_model=LegacyPage[OrderRow])
async def list_orders(
    session: Session,
    customer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="CustomerID")] = None,
    number: Annotated[str | None, Query(max_length=32, description="OrderNo, exactly")] = None,
    offset: Offset = 0,
    count: Count = 50,
) -> Response:
    """Orders by OrderID, optionally of one customer and/or with one OrderNo."""
    total, rows = await LegacyRepository(session).orders(customer_id, number, offset, count)
    return _json(
        LegacyPage[OrderRow](Total=total, Offset=offset, Rows=[OrderRow.of(r) for r in rows])
    )


@router.get("/orders/{order_id}", response_model=OrderRow, responses=error_responses(404))
async def get_order(order_id: LegacyId, session: Session) -> Response:
    row = await LegacyRepository(session).order(order_id)
    if row is None:
        raise LegacyError(404, f"Order {order_id} not found")
    return _json(OrderRow.of(row))
