"""The history of a ticket: one row per changed field, with who and when."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.models import HistoryEntry

Change = tuple[str, object, object]  # field, old value, new value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def record_changes(
    session: WriteSession,
    kind: str,
    ticket_id: uuid.UUID,
    actor: str,
    changes: Iterable[Change],
    note: str | None = None,
) -> None:
    rows = [
        {
            "ticket_kind": kind,
            "ticket_id": ticket_id,
            "actor": actor,
            "field": field,
            "old_value": _text(old),
            "new_value": _text(new),
            "note": note,
        }
        for field, old, new in changes
        if _text(old) != _text(new)
    ]
    if rows:
        await session.execute(insert(HistoryEntry), rows)
