"""Domain events and the tables that carry them: the outbox and the consumers' processed ids.

Every event recorded matches its contract in `servicedesk.contracts` (checked here, in the
publisher's transaction, so nothing off-contract reaches the wire). The outbox keeps the event
name (`incident.created`) in `event_type` and the contract version in `headers.dataversion`;
the relay publishes it as the CloudEvent `servicedesk.incident.created.v1`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicedesk.contracts import CONTRACTS, EventData, Registry
from servicedesk.kernel.context import current_actor, current_request_id
from servicedesk.kernel.db import WriteSession


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to one aggregate, e.g. `client.created` for client 42."""

    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: int = 1

    @classmethod
    def of(cls, data: EventData, *, subject: str) -> DomainEvent:
        """The event a contract model describes, about the aggregate `subject` (its id)."""
        spec = data.contract
        payload = data.model_dump(mode="json")
        return cls(spec.name, spec.aggregate, subject, payload, version=spec.version)

    def checked(self, contracts: Registry = CONTRACTS) -> DomainEvent:
        """The event with its payload as its contract writes it; ContractViolation if it does
        not match (an unknown type, a missing or undocumented field, a wrong type)."""
        data = contracts.validate_outgoing(self.event_type, self.version, self.payload)
        return replace(self, payload=data.model_dump(mode="json"))


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("seq", BigInteger, Identity(), nullable=False, unique=True),
        Column("aggregate_type", String(64), nullable=False),
        Column("aggregate_id", String(128), nullable=False),
        Column("event_type", String(128), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at is null")),
    )


def processed_messages_table(metadata: MetaData) -> Table:
    return Table(
        "processed_messages",
        metadata,
        Column("consumer", String(128), nullable=False),
        Column("message_id", String(128), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "message_id"),
    )


_NOTIFIED = "outbox_notified"


def notify_channel(outbox: Table) -> str:
    """The NOTIFY channel that wakes the relay of this outbox when a commit adds events."""
    return f"outbox_{outbox.schema}"


async def record_event(
    session: WriteSession,
    outbox: Table,
    event: DomainEvent | EventData,
    *,
    subject: str | None = None,
    contracts: Registry = CONTRACTS,
) -> None:
    """Adds the event to the outbox in the caller's transaction: it is published iff it commits.
    The relay hears of it when the transaction commits (NOTIFY is transactional).

    `event` is a contract model with `subject` (the aggregate's id), or a `DomainEvent`; either
    way it is checked against its contract first (ContractViolation)."""
    if isinstance(event, EventData):
        if subject is None:
            raise TypeError("record_event(contract model) needs subject=<the aggregate's id>")
        event = DomainEvent.of(event, subject=subject)
    event = event.checked(contracts)
    headers: dict[str, Any] = {"dataversion": event.version}
    if current_request_id():
        headers["request_id"] = current_request_id()
    if current_actor():
        headers["actor"] = current_actor()
    await session.execute(
        insert(outbox).values(
            id=event.event_id,
            aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id,
            event_type=event.event_type,
            payload=event.payload,
            headers=headers,
            occurred_at=event.occurred_at,
        )
    )
    transaction = session.get_transaction()
    if session.info.get(_NOTIFIED) is not transaction:  # one NOTIFY per transaction is enough
        await session.execute(select(func.pg_notify(notify_channel(outbox), "")))
        session.info[_NOTIFIED] = transaction
