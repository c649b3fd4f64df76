"""Tables of the tickets service, all in the "tickets" schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "tickets"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Incident(Base):
    """A request to technical support, from any channel."""

    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    impact: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    priority_rank: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(64))
    status_changed_at: Mapped[datetime] = _now()
    channel: Mapped[str] = mapped_column(String(16))
    reporter_id: Mapped[str | None] = mapped_column(String(64))
    reporter_username: Mapped[str | None] = mapped_column(String(100))
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    reporter_phone: Mapped[str | None] = mapped_column(String(16))
    reporter_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    client_ref: Mapped[str | None] = mapped_column(String(64))
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_source: Mapped[str | None] = mapped_column(String(16))
    order_ref: Mapped[str | None] = mapped_column(String(64))
    order_number: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    assignee_username: Mapped[str | None] = mapped_column(String(100))
    group_id: Mapped[str | None] = mapped_column(String(64))
    group_name: Mapped[str | None] = mapped_column(String(200))
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problems.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    response_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sla_paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _now()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _now()
    updated_by: Mapped[str] = mapped_column(String(100))
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed("tickets.document_vector(title, description)", persisted=True)
    )
    # The words of its comments (all; public only), appended as comments are added.
    notes_vector: Mapped[str] = mapped_column(TSVECTOR, server_default=text("''::tsvector"))
    public_notes_vector: Mapped[str] = mapped_column(TSVECTOR, server_default=text("''::tsvector"))


class Problem(Base):
    """The cause behind incidents: a task for the task manager, created automatically."""

    __tablename__ = "problems"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    priority_rank: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(64))
    status_changed_at: Mapped[datetime] = _now()
    correlation_rule: Mapped[str | None] = mapped_column(String(64))
    client_ref: Mapped[str | None] = mapped_column(String(64))
    client_name: Mapped[str | None] = mapped_column(String(200))
    order_ref: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    assignee_username: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _now()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _now()
    updated_by: Mapped[str] = mapped_column(String(100))


class Comment(Base):
    """A public comment (the reporter sees it) or an internal note on an incident."""

    __tablename__ = "comments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    visibility: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(64))
    author_username: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _now()
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed("tickets.document_vector('', body)", persisted=True)
    )


class Attachment(Base):
    """A file attached to an incident; its bytes live in the attachment store."""

    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(16))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _now()


class HistoryEntry(Base):
    """One change of one field of a ticket: who, when, old value, new value."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ticket_kind: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = _now()
    actor: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(Base):
    """A create request already served: a retry with the same key gets the same incident."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    created_at: Mapped[datetime] = _now()


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
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


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
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
