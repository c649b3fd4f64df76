"""Reading and writing boards."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.boards.models import Board
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.sharing import visible_to


async def add_once(session: WriteSession, values: dict[str, Any]) -> None:
    """Inserts the board unless one with the same owner and name exists."""
    await session.execute(insert(Board).values(**values).on_conflict_do_nothing())


async def visible(session: AnySession, principal: Principal) -> list[Board]:
    condition = visible_to(principal, Board.owner_id, Board.scope, Board.scope_group)
    query = select(Board).where(condition)
    query = query.order_by(Board.is_default.desc(), Board.name, Board.id)
    return list((await session.scalars(query)).all())


async def by_id(session: AnySession, board_id: uuid.UUID) -> Board | None:
    return await session.get(Board, board_id)


def add(session: WriteSession, board: Board) -> None:
    session.add(board)


async def delete(session: WriteSession, board: Board) -> None:
    await session.delete(board)
    await session.flush()


async def replace_filter(session: WriteSession, filter_id: uuid.UUID, query: str) -> None:
    """Boards over the filter take its query instead."""
    await session.execute(
        update(Board)
        .where(Board.filter_id == filter_id)
        .values(query=query, filter_id=None)
        .execution_options(synchronize_session=False)
    )
