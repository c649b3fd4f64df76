"""HTTP endpoints of saved filters: CRUD, counts for sidebars, results."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, NotFound, problems
from servicedesk.tickets.access import BoardUser
from servicedesk.tickets.filters import service
from servicedesk.tickets.filters.schemas import FilterCount, FilterCreate, FilterOut, FilterPatch
from servicedesk.tickets.query.schemas import Results
from servicedesk.tickets.query.service import InvalidQuery
from servicedesk.tickets.state import DeskDep
from servicedesk.tickets.usecases.filter_removal import delete_filter as remove_filter

router = APIRouter(prefix="/api/v1/filters", tags=["filters"])


@router.get("", response_model=list[FilterOut])
async def list_filters(actor: BoardUser, session: ReadSessionDep) -> list[FilterOut]:
    """The user's own filters and those shared with them (their groups, everyone)."""
    return [service.out(f, actor) for f in await service.visible_filters(session, actor)]


@router.get("/counts", response_model=list[FilterCount])
async def filter_counts(
    actor: BoardUser, session: ReadSessionDep, desk: DeskDep
) -> list[FilterCount]:
    """How many tickets each visible filter matches now (capped at 10000, then `capped`)."""
    return await service.counts(session, desk, actor)


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
    saved = await service.create_filter(session, desk, data, actor)
    response.headers["Location"] = f"{router.prefix}/{saved.id}"
    return service.out(saved, actor)


@router.get("/{filter_id}", response_model=FilterOut, responses=problems(NotFound))
async def get_filter(filter_id: uuid.UUID, actor: BoardUser, session: ReadSessionDep) -> FilterOut:
    return service.out(await service.filter_for(session, filter_id, actor), actor)


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
    saved = await service.update_filter(session, desk, filter_id, patch, actor)
    return service.out(saved, actor)


@router.delete("/{filter_id}", status_code=204, responses=problems(NotFound, Forbidden))
async def delete_filter(
    filter_id: uuid.UUID, actor: BoardUser, session: WriteSessionDep
) -> Response:
    await remove_filter(session, filter_id, actor)
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
    return await service.results(session, desk, filter_id, actor, limit, offset)
