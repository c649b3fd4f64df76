"""Deleting a saved filter: boards over it keep its last query (rather than, filterless, show
everything)."""

from __future__ import annotations

import uuid

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.boards import service as boards
from servicedesk.tickets.filters import service as filters


async def delete_filter(session: WriteSession, filter_id: uuid.UUID, principal: Principal) -> None:
    saved = await filters.removable(session, filter_id, principal)
    await boards.keep_query_of_filter(session, saved.id, saved.query)
    await filters.remove(session, saved)
