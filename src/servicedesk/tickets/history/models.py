"""The history table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.tickets.db import Base, created_now


class HistoryEntry(Base):
    """One change of one field of a ticket: who, when, old value, new value."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ticket_kind: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = created_now()
    actor: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # in English, as it was written
    # The note as a message (`stored`), rendered in the reader's language; None when a user
    # typed it (or on rows older than the column).
    note_message: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
