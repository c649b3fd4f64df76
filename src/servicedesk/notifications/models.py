"""Tables of the notifications service, all in the "notifications" schema (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicedesk.kernel.events import outbox_table, processed_messages_table

SCHEMA = "notifications"
metadata = MetaData(schema=SCHEMA)


def _now(name: str) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


preferences = Table(
    "preferences",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("matrix", JSONB),  # {kind: {scope: [channel]}}; NULL: the role's defaults
    Column("quiet_enabled", Boolean, nullable=False, server_default="false"),
    Column("quiet_start", Time, nullable=False, server_default="22:00"),
    Column("quiet_end", Time, nullable=False, server_default="08:00"),
    Column("timezone", String(64)),
    Column("daily_summary", Boolean, nullable=False, server_default="false"),
    Column("email_off", JSONB, nullable=False, server_default="[]"),  # kinds unsubscribed by mail
    _now("updated_at"),
)

watchers = Table(
    "watchers",
    metadata,
    Column("aggregate_type", String(16), primary_key=True),
    Column("aggregate_id", Uuid, primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("username", String(100), nullable=False),
    Column("source", String(16), nullable=False),  # created, commented, assigned, manual...
    _now("created_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("username", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("aggregate_type", String(16), nullable=False),
    Column("aggregate_id", Uuid, nullable=False),
    Column("key", String(32), nullable=False),
    Column("priority", String(16)),
    Column("actor", String(100)),
    Column("params", JSONB, nullable=False),  # what the templates fill in
    Column("in_app", Boolean, nullable=False),
    Column("title", Text, nullable=False),  # the in-app line, in the person's language
    Column("body", Text, nullable=False),
    Column("link", String(200), nullable=False),
    _now("created_at"),
    Column("read_at", DateTime(timezone=True)),
)

dispatches = Table(
    "dispatches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("notification_seq", BigInteger, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # pending held sent failed skipped digested
    Column("reason", Text),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("digest_key", String(120)),  # user:aggregate for mail that may be batched
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    Column("external_id", String(200)),  # the channels delivery id, or the mail's Message-ID
    Column("digest_id", Uuid),  # the dispatch whose message carried this one
    _now("created_at"),
)

mail_threads = Table(
    "mail_threads",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("aggregate_id", Uuid, primary_key=True),
    Column("root_message_id", String(200), nullable=False),
    Column("last_message_id", String(200), nullable=False),
    _now("updated_at"),
)

service_marks = Table(
    "service_marks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", JSONB, nullable=False),
    _now("updated_at"),
)

outbox = outbox_table(metadata)
processed_messages = processed_messages_table(metadata)
