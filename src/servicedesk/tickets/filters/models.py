"""The saved filters table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.tickets.db import Base, created_now


class SavedFilter(Base):
    """A query saved by its owner, used by everyone in its scope (private, a group, everyone)."""

    __tablename__ = "saved_filters"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    owner_username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(16))
    scope_group: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_now()
    updated_at: Mapped[datetime] = created_now()
