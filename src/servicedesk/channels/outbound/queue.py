"""Queueing a message for a person: one delivery row per (caller, idempotency key)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.channels.models import ChannelIdentity, Delivery
from servicedesk.kernel.db import WriteSession

SELF = "channels"  # the caller of the service's own replies


async def enqueue(
    session: WriteSession,
    identity: ChannelIdentity,
    body: str,
    *,
    key: str,
    caller: str = SELF,
    incident_id: uuid.UUID | None = None,
    incident_key: str | None = None,
    markup: dict[str, Any] | None = None,
) -> Delivery:
    """The delivery for this key: queued now, or the one queued before under the same key."""
    delivery_id = await session.scalar(
        insert(Delivery)
        .values(
            id=uuid.uuid4(),
            caller=caller,
            idempotency_key=key,
            channel=identity.channel,
            contact_id=identity.contact_id,
            identity_id=identity.id,
            address=identity.address,
            body=body,
            markup=markup,
            incident_id=incident_id,
            incident_key=incident_key,
        )
        .on_conflict_do_nothing(index_elements=["caller", "idempotency_key"])
        .returning(Delivery.id)
    )
    if delivery_id is None:
        existing = await session.scalar(
            select(Delivery).where(Delivery.caller == caller, Delivery.idempotency_key == key)
        )
        assert existing is not None
        return existing
    delivery = await session.get(Delivery, delivery_id)
    assert delivery is not None
    return delivery
