"""Tables of the tickets service, all in the "tickets" schema."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "tickets"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
