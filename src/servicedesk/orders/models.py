"""Tables of the orders service, all in the "orders" schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Numeric, String, Text, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "orders"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    client_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    currency: Mapped[str] = mapped_column(String(3))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(100))
    search_text: Mapped[str] = mapped_column(Text)
    moved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KnownClient(Base):
    """What orders knows of a client: enough to check it exists and to show its name."""

    __tablename__ = "known_clients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
