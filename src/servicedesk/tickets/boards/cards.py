"""What a board shows: kanban columns with their cards, a list's rows, a dashboard's link."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession
from servicedesk.tickets.boards.models import Board
from servicedesk.tickets.boards.schemas import BoardKind
from servicedesk.tickets.boards.service import board_query
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.incidents.schemas import IncidentOut
from servicedesk.tickets.problems.schemas import ProblemOut
from servicedesk.tickets.query import And, Comparison, Empty, Query, Text
from servicedesk.tickets.query import service as querying
from servicedesk.tickets.query.schemas import result_items

NO_VALUE = "none"  # the column of cards with no assignee or group
EMPTY_CAPABLE = {"assignee", "group"}


def _column_condition(field: str, value: str) -> Comparison:
    if value == NO_VALUE and field in EMPTY_CAPABLE:
        return Comparison(field=field, op="is", value=Empty())
    return Comparison(field=field, op="=", value=Text(value=value))


def in_column(query: Query, field: str, value: str) -> Query:
    condition = _column_condition(field, value)
    where = condition if query.where is None else And(items=(query.where, condition))
    return query.model_copy(update={"where": where})


async def default_columns(
    session: ReadSession, desk: Desk, board: Board, query: Query, principal: Principal
) -> list[str]:
    field = board.layout.get("column_field", "status")
    vocabulary = desk.vocabularies[board.entity]
    if field == "status":
        return [choice.id for choice in vocabulary.statuses]
    if field in ("priority", "category", "channel"):
        return [choice.id for choice in vocabulary.choices(field)]
    grouped = query.model_copy(update={"group_by": field, "order_by": ()})
    rows = await querying.groups(session, desk, grouped, principal)
    return [str(row["value"]) if row["value"] is not None else NO_VALUE for row in rows][:12]


async def kanban(
    session: ReadSession,
    desk: Desk,
    board: Board,
    principal: Principal,
    card_model: type[BaseModel],
) -> list[dict[str, Any]]:
    query = await board_query(session, desk, board)
    field = board.layout.get("column_field", "status")
    columns = board.layout.get("columns") or await default_columns(
        session, desk, board, query, principal
    )
    limit = int(board.layout.get("cards_per_column", 50))
    labels = {c.id: c.label for c in desk.vocabularies[board.entity].choices(field)}
    answer = []
    for value in columns:
        narrowed = querying.checked(desk, in_column(query, field, value))
        cards = await querying.page(session, desk, narrowed, principal, limit, 0)
        total = await querying.count(session, desk, narrowed, principal, querying.COLUMN_COUNT_CAP)
        answer.append(
            {
                "value": value,
                "label": labels.get(value, value),
                "total": total,
                "capped": total > querying.COLUMN_COUNT_CAP,
                "cards": [card_model.model_validate(card) for card in cards],
            }
        )
    return answer


async def rows(
    session: ReadSession,
    desk: Desk,
    board: Board,
    principal: Principal,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    query = await board_query(session, desk, board)
    found = await querying.page(session, desk, query, principal, limit, offset)
    return found, await querying.count(session, desk, query, principal)


async def contents(
    session: ReadSession, desk: Desk, board: Board, principal: Principal, limit: int, offset: int
) -> dict[str, Any]:
    """Kanban: its columns with their cards and counts. List: a page of rows and the total.
    Dashboard: its link."""
    kind = BoardKind(board.kind)
    if kind is BoardKind.DASHBOARD:
        return {"kind": kind, "url": board.layout.get("url")}
    model = IncidentOut if board.entity == "incident" else ProblemOut
    if kind is BoardKind.KANBAN:
        columns = await kanban(session, desk, board, principal, model)
        return {"kind": kind, "column_field": board.layout.get("column_field"), "columns": columns}
    found, total = await rows(session, desk, board, principal, limit, offset)
    return {
        "kind": kind,
        "columns": board.layout.get("columns"),
        "items": result_items(found, board.entity),
        "total": total,
    }
