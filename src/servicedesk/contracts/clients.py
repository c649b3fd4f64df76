"""The clients service's events (version 1)."""

from __future__ import annotations

import uuid

from pydantic import Field

from servicedesk.contracts.base import EventData, EventSpec


class ClientRecord(EventData):
    """The client record after the change."""

    id: uuid.UUID
    display_name: str
    kind: str = Field(description="person or company")
    email: str | None
    phone: str | None
    tax_id: str | None
    external_id: str | None = Field(description="the legacy system's id, if migrated")
    version: int = Field(ge=1)


class ClientCreatedV1(ClientRecord):
    contract = EventSpec("client.created", 1, "client", "clients", "a client record is created")


class ClientUpdatedV1(ClientRecord):
    contract = EventSpec("client.updated", 1, "client", "clients", "a client record changed")


CLIENTS_CONTRACTS: tuple[type[EventData], ...] = (ClientCreatedV1, ClientUpdatedV1)
