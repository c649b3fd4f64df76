"""Writing and reading history rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, insert, select

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.tickets.history.models import HistoryEntry


async def add_entries(session: WriteSession, rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(insert(HistoryEntry), list(rows))


async def entries_of(session: ReadSession, kind: str, ticket_id: uuid.UUID) -> list[HistoryEntry]:
    query = (
        select(HistoryEntry)
        .where(and_(HistoryEntry.ticket_kind == kind, HistoryEntry.ticket_id == ticket_id))
        .order_by(HistoryEntry.id)
    )
    return list((await session.scalars(query)).all())
