"""Reading and writing saved filters."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.filters.models import SavedFilter
from servicedesk.tickets.sharing import visible_to


async def visible(session: AnySession, principal: Principal) -> list[SavedFilter]:
    condition = visible_to(
        principal, SavedFilter.owner_id, SavedFilter.scope, SavedFilter.scope_group
    )
    query = select(SavedFilter).where(condition).order_by(SavedFilter.name, SavedFilter.id)
    return list((await session.scalars(query)).all())


async def by_id(session: AnySession, filter_id: uuid.UUID) -> SavedFilter | None:
    return await session.get(SavedFilter, filter_id)


def add(session: WriteSession, saved: SavedFilter) -> None:
    session.add(saved)


async def delete(session: WriteSession, saved: SavedFilter) -> None:
    await session.delete(saved)
    await session.flush()
