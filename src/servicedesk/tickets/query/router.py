"""HTTP endpoints of the query language: run, parse for the builder, render, complete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from servicedesk.kernel.deps import ReadSessionDep
from servicedesk.kernel.errors import problems
from servicedesk.tickets import querying
from servicedesk.tickets.access import QueryRunner
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.query import Entity, render
from servicedesk.tickets.query import Query as QueryModel
from servicedesk.tickets.query import complete as complete_query
from servicedesk.tickets.querying import InvalidQuery
from servicedesk.tickets.schemas import IncidentOut, ProblemOut

router = APIRouter(prefix="/api/v1/query", tags=["query"])
DeskDep = Annotated[Desk, Depends(desk_of)]
QueryText = Annotated[
    str, Query(max_length=2000, description="e.g. status = new order by created desc")
]
EntityParam = Annotated[Entity, Query()]


class ParseRequest(BaseModel):
    text: str = Field(max_length=2000)
    entity: Entity = "incident"


class Parsed(BaseModel):
    text: str
    query: QueryModel


class Results(BaseModel):
    items: list[IncidentOut] | list[ProblemOut]
    total: int
    capped: bool
    groups: list[dict[str, Any]] | None = None


def result_items(rows: list[Any], entity: str) -> list[Any]:
    model = IncidentOut if entity == "incident" else ProblemOut
    return [model.model_validate(row) for row in rows]


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
    query = querying.parsed(desk, q, entity, field="q")
    rows = await querying.page(session, desk, query, actor, limit, offset)
    total = await querying.count(session, desk, query, actor)
    grouped = await querying.groups(session, desk, query, actor) if query.group_by else None
    return Results(
        items=result_items(rows, entity),
        total=total,
        capped=total > querying.COUNT_CAP,
        groups=grouped,
    )


@router.post("/parse", response_model=Parsed, responses=problems(InvalidQuery))
async def parse_text(request: ParseRequest, _: QueryRunner, desk: DeskDep) -> Parsed:
    """Text to the builder's model (and the canonical text)."""
    query = querying.parsed(desk, request.text, request.entity, field="text")
    return Parsed(text=render(query), query=query)


@router.post("/render", response_model=Parsed, responses=problems(InvalidQuery))
async def render_model(query: QueryModel, _: QueryRunner, desk: DeskDep) -> Parsed:
    """The builder's model to text; the model is checked like text is."""
    checked = querying.checked(desk, query)
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
    suggestions = complete_query(q, position, entity, desk.vocabularies[entity])
    answer: list[dict[str, Any]] = []
    for suggestion in suggestions:
        if suggestion.kind == "user":
            users = await desk.directory.assignable_users(suggestion.text or None, 10)
            answer += [
                {
                    **suggestion.model_dump(),
                    "kind": "value",
                    "text": u.username,
                    "label": u.display_name,
                }
                for u in users
            ]
        elif suggestion.kind == "group":
            groups = await desk.directory.groups(suggestion.text or None)
            answer += [
                {**suggestion.model_dump(), "kind": "value", "text": g.name, "label": g.name}
                for g in groups
            ]
        else:
            answer.append(suggestion.model_dump())
    return answer
