"""The boards table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.tickets.db import Base, created_now


class Board(Base):
    """A user's board: kanban (columns of a field), list (a table) or dashboard (a link)."""

    __tablename__ = "boards"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    owner_username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(16))
    query: Mapped[str | None] = mapped_column(Text)
    filter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("saved_filters.id"))
    layout: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    scope: Mapped[str] = mapped_column(String(16))
    scope_group: Mapped[str | None] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_now()
    updated_at: Mapped[datetime] = created_now()
