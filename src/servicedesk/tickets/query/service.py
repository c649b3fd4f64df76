"""Running queries of the query language for a user: parse, check, page, count, group."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession
from servicedesk.kernel.errors import ProblemError
from servicedesk.kernel.i18n import localized
from servicedesk.tickets.access import is_staff
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.query import (
    Entity,
    Query,
    QueryContext,
    QueryError,
    check_query,
    compile_grouped,
    compile_query,
    complete,
    parse_query,
    render,
)
from servicedesk.tickets.query.schemas import Results, result_items

COUNT_CAP = 10_000  # sidebars say "10000+" rather than count a million rows
COLUMN_COUNT_CAP = 1_000  # a kanban column says "1000+": a board counts several at once


class InvalidQuery(ProblemError):
    status, code, title = 400, "invalid-query", "Invalid query"


def invalid_query(error: QueryError, field: str = "query") -> InvalidQuery:
    return InvalidQuery(
        error.message,
        extra={
            "field": field,
            "position": error.position,
            "length": error.length,
            "line": error.line,
            "column": error.column,
            "suggestions": error.suggestions,
        },
    )


def entity_of(stored: str) -> Entity:
    """The entity a stored filter or board is over ("incident" or "problem")."""
    if stored == "incident":
        return "incident"
    if stored == "problem":
        return "problem"
    raise ValueError(f"not an entity of the query language: {stored!r}")


def parsed(desk: Desk, text: str, entity: Entity, field: str = "query") -> Query:
    try:
        return parse_query(text, entity, desk.vocabularies[entity])
    except QueryError as error:
        raise invalid_query(error, field) from None


def checked(desk: Desk, query: Query) -> Query:
    try:
        return check_query(query, desk.vocabularies[query.entity])
    except QueryError as error:
        raise invalid_query(error) from None


def canonical_text(desk: Desk, text: str, entity: Entity, field: str = "query") -> str:
    return render(parsed(desk, text, entity, field))


def context_for(desk: Desk, principal: Principal, entity: Entity) -> QueryContext:
    return QueryContext.for_principal(
        principal,
        datetime.now(UTC),
        desk.vocabularies[entity],
        own_incidents_only=not is_staff(principal),
    )


def _compiled(desk: Desk, query: Query, principal: Principal) -> Any:
    try:
        return compile_query(query, context_for(desk, principal, query.entity))
    except QueryError as error:
        raise invalid_query(error) from None


async def page(
    session: ReadSession, desk: Desk, query: Query, principal: Principal, limit: int, offset: int
) -> list[Any]:
    statement = _compiled(desk, query, principal).limit(limit).offset(offset)
    return list((await session.scalars(statement)).all())


async def count(
    session: ReadSession, desk: Desk, query: Query, principal: Principal, cap: int = COUNT_CAP
) -> int:
    """Matches up to `cap` + 1 (more is shown as "10000+")."""
    capped = _compiled(desk, query, principal).order_by(None).limit(cap + 1).subquery()
    total = await session.scalar(select(func.count()).select_from(capped))
    return int(total or 0)


async def groups(
    session: ReadSession, desk: Desk, query: Query, principal: Principal
) -> list[dict[str, Any]]:
    try:
        statement = compile_grouped(query, context_for(desk, principal, query.entity))
    except QueryError as error:
        raise invalid_query(error) from None
    rows = (await session.execute(statement)).all()
    return [{"value": row.value, "count": int(row.count)} for row in rows]


async def results(
    session: ReadSession, desk: Desk, query: Query, principal: Principal, limit: int, offset: int
) -> Results:
    """A page of the matches, their number and, for a `group by` query, the count per value."""
    rows = await page(session, desk, query, principal, limit, offset)
    total = await count(session, desk, query, principal)
    grouped = await groups(session, desk, query, principal) if query.group_by else None
    return Results(
        items=result_items(rows, query.entity),
        total=total,
        capped=total > COUNT_CAP,
        groups=grouped,
    )


async def suggestions(desk: Desk, text: str, position: int, entity: Entity) -> list[dict[str, Any]]:
    """What may come at the position: fields, operators, values, keywords, and the users and
    groups of the directory where a person or a group is expected."""
    answer: list[dict[str, Any]] = []
    for suggestion in complete(text, position, entity, desk.vocabularies[entity]):
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
            answer.append({**suggestion.model_dump(), "label": localized(suggestion.label)})
    return answer
