"""The tickets service's one SQLAlchemy metadata, all in the "tickets" schema: the declarative
base every domain's models share, and the outbox and processed-messages tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "tickets"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


def created_now() -> Mapped[datetime]:
    """A timestamp column the database fills with now() when it is not given."""
    return mapped_column(DateTime(timezone=True), server_default=func.now())


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)

# For the few reads that run in either kind of session (a lookup before an edit, or a plain read).
AnySession = ReadSession | WriteSession
