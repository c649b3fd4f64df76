"""HTTP endpoints of the query language: run, parse for the builder, render, complete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servicedesk.kernel.deps import ReadSessionDep
from servicedesk.kernel.errors import problems
from servicedesk.tickets.access import QueryRunner
from servicedesk.tickets.query import Entity, render, service
from servicedesk.tickets.query import Query as QueryModel
from servicedesk.tickets.query.schemas import Parsed, ParseRequest, Results
from servicedesk.tickets.query.service import InvalidQuery
from servicedesk.tickets.state import DeskDep

router = APIRouter(prefix="/api/v1/query", tags=["query"])
QueryText = Annotated[
    str, Query(max_length=2000, description="e.g. status = new order by created desc")
]
EntityParam = Annotated[Entity, Query()]


@router.get("", response_model=Results, responses=problems(InvalidQuery))
async def run_query(
    actor: QueryRunner,
    session: ReadSessionDep,
    desk: DeskDep,
    q: QueryText = "",
    entity: EntityParam = "incident",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Results:
    """The matches of the query (reporters: among their own incidents), with their number and,
    for a `group by` query, the count per value."""
    query = service.parsed(desk, q, entity, field="q")
    return await service.results(session, desk, query, actor, limit, offset)


@router.post("/parse", response_model=Parsed, responses=problems(InvalidQuery))
async def parse_text(request: ParseRequest, _: QueryRunner, desk: DeskDep) -> Parsed:
    """Text to the builder's model (and the canonical text)."""
    query = service.parsed(desk, request.text, request.entity, field="text")
    return Parsed(text=render(query), query=query)


@router.post("/render", response_model=Parsed, responses=problems(InvalidQuery))
async def render_model(query: QueryModel, _: QueryRunner, desk: DeskDep) -> Parsed:
    """The builder's model to text; the model is checked like text is."""
    checked = service.checked(desk, query)
    return Parsed(text=render(checked), query=checked)


@router.get("/complete")
async def complete(
    _: QueryRunner,
    desk: DeskDep,
    q: QueryText = "",
    cursor: Annotated[int | None, Query(ge=0, le=2000)] = None,
    entity: EntityParam = "incident",
) -> list[dict[str, Any]]:
    """What may come at the cursor: fields, operators, values, keywords, users and groups."""
    position = len(q) if cursor is None else min(cursor, len(q))
    return await service.suggestions(desk, q, position, entity)
