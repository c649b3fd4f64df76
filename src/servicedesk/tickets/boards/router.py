"""HTTP endpoints of boards: the user's boards (the default one made on first use), their
cards, and moving a card between kanban columns."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, problems
from servicedesk.tickets import board_cards, boards, repository
from servicedesk.tickets.access import BoardUser
from servicedesk.tickets.board_schemas import BoardCreate, BoardKind, BoardOut, BoardPatch, CardMove
from servicedesk.tickets.card_moves import move_card
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.models import Board
from servicedesk.tickets.query_router import result_items
from servicedesk.tickets.querying import InvalidQuery
from servicedesk.tickets.schemas import IncidentOut, ProblemOut
from servicedesk.tickets.sharing import may_change

router = APIRouter(prefix="/api/v1/boards", tags=["boards"])
DeskDep = Annotated[Desk, Depends(desk_of)]


def _out(board: Board, principal: Any) -> BoardOut:
    out = BoardOut.model_validate(board)
    out.editable = may_change(principal, board)
    return out


@router.get("", response_model=list[BoardOut])
async def list_boards(actor: BoardUser, session: WriteSessionDep) -> list[BoardOut]:
    """The user's boards and those shared with them; "My work" is made on first use."""
    await boards.ensure_default(session, actor)
    return [_out(b, actor) for b in await boards.visible_boards(session, actor)]


@router.post(
    "", response_model=BoardOut, status_code=201, responses=problems(InvalidQuery, Conflict)
)
async def create_board(
    data: BoardCreate, actor: BoardUser, session: WriteSessionDep, desk: DeskDep, response: Response
) -> BoardOut:
    board = await boards.create_board(session, desk, data, actor)
    response.headers["Location"] = f"{router.prefix}/{board.id}"
    return _out(board, actor)


@router.get("/{board_id}", response_model=BoardOut, responses=problems(NotFound))
async def get_board(board_id: uuid.UUID, actor: BoardUser, session: ReadSessionDep) -> BoardOut:
    return _out(await boards.board_for(session, board_id, actor), actor)


@router.patch(
    "/{board_id}",
    response_model=BoardOut,
    responses=problems(NotFound, Forbidden, InvalidQuery, Conflict),
)
async def update_board(
    board_id: uuid.UUID,
    patch: BoardPatch,
    actor: BoardUser,
    session: WriteSessionDep,
    desk: DeskDep,
) -> BoardOut:
    return _out(await boards.update_board(session, desk, board_id, patch, actor), actor)


@router.delete("/{board_id}", status_code=204, responses=problems(NotFound, Forbidden, Conflict))
async def delete_board(board_id: uuid.UUID, actor: BoardUser, session: WriteSessionDep) -> Response:
    await boards.delete_board(session, board_id, actor)
    return Response(status_code=204)


@router.get("/{board_id}/cards", responses=problems(NotFound, InvalidQuery))
async def board_contents(
    board_id: uuid.UUID,
    actor: BoardUser,
    session: ReadSessionDep,
    desk: DeskDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Kanban: its columns with their cards and counts. List: a page of rows and the total.
    Dashboard: its link."""
    board = await boards.board_for(session, board_id, actor)
    kind = BoardKind(board.kind)
    if kind is BoardKind.DASHBOARD:
        return {"kind": kind, "url": board.layout.get("url")}
    model = IncidentOut if board.entity == "incident" else ProblemOut
    if kind is BoardKind.KANBAN:
        columns = await board_cards.kanban(session, desk, board, actor, model)
        return {"kind": kind, "column_field": board.layout.get("column_field"), "columns": columns}
    found, total = await board_cards.rows(session, desk, board, actor, limit, offset)
    return {
        "kind": kind,
        "columns": board.layout.get("columns"),
        "items": result_items(found, board.entity),
        "total": total,
    }


@router.post(
    "/{board_id}/moves",
    responses=problems(NotFound, Conflict, Forbidden, InvalidInput),
)
async def move(
    board_id: uuid.UUID,
    request: CardMove,
    actor: BoardUser,
    session: WriteSessionDep,
    desk: DeskDep,
) -> IncidentOut | ProblemOut:
    """Performs the workflow transition into the column (or edits the column's field). Refused
    moves answer 409 (no such transition), 403 (role missing) or 422 (fields the transition
    needs), and the card stays where it was."""
    board = await boards.board_for(session, board_id, actor)
    moved = await move_card(session, desk, board, request, actor)
    if board.entity == "incident":
        return IncidentOut.model_validate(moved)
    out = ProblemOut.model_validate(moved)
    out.incident_count = await repository.incident_count(session, out.id)
    return out
