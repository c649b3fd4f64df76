"""Tables of the channels service, all in the "channels" schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "channels"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


def _now() -> Any:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Contact(Base):
    """A person we talk to outside the console: a user of the realm (`user_id`), or not."""

    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    username: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class ChannelIdentity(Base):
    """How a contact is reached on one channel: a Telegram user (and chat), a phone."""

    __tablename__ = "identities"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    provider: Mapped[str | None] = mapped_column(String(32))  # the SMS gateway it wrote through
    display: Mapped[str] = mapped_column(String(200))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    bound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()


class InboxItem(Base):
    """Something a provider sent us (a Telegram update, an SMS), kept before it is processed."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    thread: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = _now()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class LinkToken(Base):
    """A single-use token binding a Telegram account to a realm user (stored hashed)."""

    __tablename__ = "link_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    identity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Conversation(Base):
    """An incident's thread on one identity: replies go there, answers come from there."""

    __tablename__ = "conversations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    incident_key: Mapped[str] = mapped_column(String(24))
    identity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(64), default="new")
    opened_here: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class Dialog(Base):
    """Where a person is in a guided exchange with the bot (e.g. /new asks three questions)."""

    __tablename__ = "dialogs"

    identity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = _now()


class Delivery(Base):
    """One message to send over a channel, with its status; sent by the sender worker."""

    __tablename__ = "deliveries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    caller: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    identity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    address: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    markup: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    incident_key: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    parts: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = _now()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = _now()


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = _now()
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None]


class ProviderMessage(Base):
    """A provider's id of a message we sent (an SMS id; `<chat>:<message_id>` on Telegram)."""

    __tablename__ = "provider_messages"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class DeliveryStatus(Base):
    """A status a provider reported once; a replayed callback finds its row and changes nothing."""

    __tablename__ = "delivery_statuses"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = _now()


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
