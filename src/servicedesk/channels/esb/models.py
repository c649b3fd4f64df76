"""The ESB's tables (migration 0003): commands seen, and the incidents each caller follows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.channels.models import Base


class EsbCommand(Base):
    """A command done once: its (source, id) is the dedup key, written with its effects."""

    __tablename__ = "esb_commands"

    source: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    caller: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(128))
    reference: Mapped[str | None] = mapped_column(String(255))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class EsbFollower(Base):
    """A calling system that hears of an incident's changes, under its own reference."""

    __tablename__ = "esb_followers"

    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    caller: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_key: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(255))
    reference: Mapped[str | None] = mapped_column(String(255))
    opened_here: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(64), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
