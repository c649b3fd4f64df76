"""Tables of the clients service, all in the "clients" schema."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "clients"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


outbox = outbox_table(Base.metadata)
processed_messages = processed_messages_table(Base.metadata)
