"""The orders service's events (version 1)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from servicedesk.contracts.base import EventData, EventSpec


class OrderCreatedV1(EventData):
    contract = EventSpec("order.created", 1, "order", "orders", "an order record is created")

    id: uuid.UUID
    number: str
    client_id: uuid.UUID
    status: str
    total_amount: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="a decimal, as text")
    currency: str = Field(description="ISO 4217 code")
    external_id: str | None = Field(description="the legacy system's id, if migrated")
    created_at: datetime


ORDERS_CONTRACTS: tuple[type[EventData], ...] = (OrderCreatedV1,)
