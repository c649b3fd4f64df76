"""HTTP endpoints of boards: the user's boards (the default one made on first use), their
cards, and moving a card between kanban columns."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, problems
from servicedesk.tickets.access import BoardUser
from servicedesk.tickets.boards import cards, service
from servicedesk.tickets.boards.schemas import BoardCreate, BoardOut, BoardPatch, CardMove
from servicedesk.tickets.incidents.schemas import IncidentOut
from servicedesk.tickets.problems.schemas import ProblemOut
from servicedesk.tickets.query.service import InvalidQuery
from servicedesk.tickets.state import DeskDep
from servicedesk.tickets.usecases.card_moves import move_card

router = APIRouter(prefix="/api/v1/boards", tags=["boards"])


@router.get("", response_model=list[BoardOut])
async def list_boards(actor: BoardUser, session: WriteSessionDep) -> list[BoardOut]:
    """The user's boards and those shared with them; "My work" is made on first use."""
    await service.ensure_default(session, actor)
    return [service.out(b, actor) for b in await service.visible_boards(session, actor)]


@router.post(
    "", response_model=BoardOut, status_code=201, responses=problems(InvalidQuery, Conflict)
)
async def create_board(
    data: BoardCreate, actor: BoardUser, session: WriteSessionDep, desk: DeskDep, response: Response
) -> BoardOut:
    board = await service.create_board(session, desk, data, actor)
    response.headers["Location"] = f"{router.prefix}/{board.id}"
    return service.out(board, actor)


@router.get("/{board_id}", response_model=BoardOut, responses=problems(NotFound))
async def get_board(board_id: uuid.UUID, actor: BoardUser, session: ReadSessionDep) -> BoardOut:
    return service.out(await service.board_for(session, board_id, actor), actor)


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
    return service.out(await service.update_board(session, desk, board_id, patch, actor), actor)


@router.delete("/{board_id}", status_code=204, responses=problems(NotFound, Forbidden, Conflict))
async def delete_board(board_id: uuid.UUID, actor: BoardUser, session: WriteSessionDep) -> Response:
    await service.delete_board(session, board_id, actor)
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
    board = await service.board_for(session, board_id, actor)
    return await cards.contents(session, desk, board, actor, limit, offset)


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
    return await move_card(session, desk, board_id, request, actor)
