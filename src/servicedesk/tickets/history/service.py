"""The history of a ticket: one row per changed field, with who and when."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.i18n import Message, localized_stored, stored
from servicedesk.tickets.history import repository
from servicedesk.tickets.history.schemas import HistoryOut

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
    """One row per changed field. A note made with `_t` is kept as a message too, to be read in
    the reader's language; a note a user typed is kept as it is."""
    kept = stored(note) if isinstance(note, Message) else None
    rows = [
        {
            "ticket_kind": kind,
            "ticket_id": ticket_id,
            "actor": actor,
            "field": field,
            "old_value": _text(old),
            "new_value": _text(new),
            "note": None if note is None else str(note),
            "note_message": kept,
        }
        for field, old, new in changes
        if _text(old) != _text(new)
    ]
    if rows:
        await repository.add_entries(session, rows)


async def history_of(session: ReadSession, kind: str, ticket_id: uuid.UUID) -> list[HistoryOut]:
    """Every change of the ticket, oldest first."""
    rows = await repository.entries_of(session, kind, ticket_id)
    return [
        HistoryOut.model_validate(row).model_copy(
            update={"note": localized_stored(row.note_message, row.note)}
        )
        for row in rows
    ]
