"""What the history API answers."""

from __future__ import annotations

from datetime import datetime

from servicedesk.tickets.fields import Output


class HistoryOut(Output):
    id: int
    at: datetime
    actor: str
    field: str
    old_value: str | None
    new_value: str | None
    note: str | None
