"""Tables of the legacy service, all in the "legacy" schema.

`customer_name_tails` is the name search index: for every word of a customer's name (lower
case, split at anything not a letter or digit) the rest of the name from that word on, kept
by triggers on `customers` (migration 0002).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CHAR, BigInteger, DateTime, MetaData, Numeric, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "legacy"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


class Customer(Base):
    __tablename__ = "customers"

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str] = mapped_column(String(300))
    cust_type: Mapped[str] = mapped_column(CHAR(1))  # P: private person, C: company
    email: Mapped[str | None] = mapped_column(String(254))
    phone_raw: Mapped[str | None] = mapped_column(String(64))  # as typed, never normalised
    inn: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomerNameTail(Base):
    __tablename__ = "customer_name_tails"

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    word_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    tail: Mapped[str] = mapped_column(Text)


class Order(Base):
    __tablename__ = "orders"

    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8))  # НОВ ПОДТВ ОПЛ ОТГР ЗАКР ОТМ
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(CHAR(3))  # RUR USD EUR
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Created by migration 0001 and kept; the simulator publishes no events.
outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
