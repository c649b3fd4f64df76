"""What email adds to the channels' tables: Message-IDs of the mail we received (the ones we
sent are provider_messages of provider "email"), and each mailbox's UID high-water mark."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.channels.models import Base


class ReceivedMail(Base):
    """An inbound mail's Message-ID and the incident it went to: replies to it find the thread."""

    __tablename__ = "email_messages"

    message_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    incident_key: Mapped[str] = mapped_column(String(24))
    identity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    subject: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class MailboxMark(Base):
    """The last UID read from a mailbox's folder, valid while its UIDVALIDITY stays the same."""

    __tablename__ = "email_mailboxes"

    mailbox: Mapped[str] = mapped_column(String(320), primary_key=True)
    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
