"""HTTP endpoints of saved filters: CRUD, counts for sidebars, results."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, NotFound, problems
from servicedesk.tickets import filters, querying
from servicedesk.tickets.access import BoardUser
from servicedesk.tickets.board_schemas import FilterCreate, FilterOut, FilterPatch
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.models import SavedFilter
from servicedesk.tickets.query_router import Results, result_items
from servicedesk.tickets.querying import InvalidQuery
from servicedesk.tickets.sharing import may_change

router = APIRouter(prefix="/api/v1/filters", tags=["filters"])
DeskDep = Annotated[Desk, Depends(desk_of)]


class FilterCount(BaseModel):
    id: uuid.UUID
    name: str
    count: int
    capped: bool


def _out(saved: SavedFilter, principal: Any) -> FilterOut:
    out = FilterOut.model_validate(saved)
    out.editable = may_change(principal, saved)
    return out


@router.get("", response_model=list[FilterOut])
async def list_filters(actor: BoardUser, session: ReadSessionDep) -> list[FilterOut]:
    """The user's own filters and those shared with them (their groups, everyone)."""
    return [_out(f, actor) for f in await filters.visible_filters(session, actor)]


@router.get("/counts", response_model=list[FilterCount])
async def filter_counts(
    actor: BoardUser, session: ReadSessionDep, desk: DeskDep
) -> list[FilterCount]:
    """How many tickets each visible filter matches now (capped at 10000, then `capped`)."""
    answer = []
    for saved in await filters.visible_filters(session, actor):
        query = querying.parsed(desk, saved.query, saved.entity)  # type: ignore[arg-type]
        total = await querying.count(session, desk, query, actor)
        capped = total > querying.COUNT_CAP
        answer.append(FilterCount(id=saved.id, name=saved.name, count=total, capped=capped))
    return answer


@router.post(
    "",
    response_model=FilterOut,
    status_code=201,
    responses=problems(InvalidQuery, Conflict),
)
async def create_filter(
    data: FilterCreate,
    actor: BoardUser,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
) -> FilterOut:
    """The query is stored in its canonical text; a bad query is 400 with its position."""
    saved = await filters.create_filter(session, desk, data, actor)
    response.headers["Location"] = f"{router.prefix}/{saved.id}"
    return _out(saved, actor)


@router.get("/{filter_id}", response_model=FilterOut, responses=problems(NotFound))
async def get_filter(filter_id: uuid.UUID, actor: BoardUser, session: ReadSessionDep) -> FilterOut:
    return _out(await filters.filter_for(session, filter_id, actor), actor)


@router.patch(
    "/{filter_id}",
    response_model=FilterOut,
    responses=problems(NotFound, Forbidden, InvalidQuery, Conflict),
)
async def update_filter(
    filter_id: uuid.UUID,
    patch: FilterPatch,
    actor: BoardUser,
    session: WriteSessionDep,
    desk: DeskDep,
) -> FilterOut:
    """Only the owner or an admin changes a filter."""
    return _out(await filters.update_filter(session, desk, filter_id, patch, actor), actor)


@router.delete("/{filter_id}", status_code=204, responses=problems(NotFound, Forbidden))
async def delete_filter(
    filter_id: uuid.UUID, actor: BoardUser, session: WriteSessionDep
) -> Response:
    await filters.delete_filter(session, filter_id, actor)
    return Response(status_code=204)


@router.get(
    "/{filter_id}/results", response_model=Results, responses=problems(NotFound, InvalidQuery)
)
async def filter_results(
    filter_id: uuid.UUID,
    actor: BoardUser,
    session: ReadSessionDep,
    desk: DeskDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Results:
    saved = await filters.filter_for(session, filter_id, actor)
    query = querying.parsed(desk, saved.query, saved.entity)  # type: ignore[arg-type]
    rows = await querying.page(session, desk, query, actor, limit, offset)
    total = await querying.count(session, desk, query, actor)
    grouped = await querying.groups(session, desk, query, actor) if query.group_by else None
    return Results(
        items=result_items(rows, saved.entity),
        total=total,
        capped=total > querying.COUNT_CAP,
        groups=grouped,
    )
