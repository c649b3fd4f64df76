"""Tables of the clients service, all in the "clients" schema."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Computed, DateTime, Integer, MetaData, String, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "clients"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


class Client(Base):
    """A company or person we serve; `external_id` is its id in the legacy system, if it came from
    there."""

    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    tax_id: Mapped[str | None] = mapped_column(String(12))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(String(100))
    search_name: Mapped[str] = mapped_column(
        Text, Computed("clients.fold_name(display_name)", persisted=True)
    )
    search_words: Mapped[list[str]] = mapped_column(
        ARRAY(Text), Computed("clients.name_words(display_name)", persisted=True)
    )


class NameWord(Base):
    """Every word of every client's folded name: the vocabulary searches correct typos against."""

    __tablename__ = "name_words"

    word: Mapped[str] = mapped_column(Text, primary_key=True)


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
