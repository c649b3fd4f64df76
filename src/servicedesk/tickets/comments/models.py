"""The comments table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Computed, ForeignKey, String, Text, Uuid, false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.tickets.db import Base, created_now


class Comment(Base):
    """A public comment (the reporter sees it) or an internal note on an incident. A reporter's
    reply relayed by a service (a channel) is theirs: `via` names the service that relayed it."""

    __tablename__ = "comments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    visibility: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(64))
    author_username: Mapped[str] = mapped_column(String(100))
    from_reporter: Mapped[bool] = mapped_column(Boolean, server_default=false())
    via: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_now()
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed("tickets.document_vector('', body)", persisted=True)
    )
