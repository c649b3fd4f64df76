"""Moving legacy records into ours through the idempotent bulk endpoints: a record moved twice,
or by two callers at once, exists once. Orders move with their client first (see
`orders.create_order` and the backfill)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.migration.metrics import RECORDS_MOVED
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import ClientRecord
from servicedesk.migration.translation import client_from_legacy, customer_external_id


class LegacyRecordNotFound(NotFound):
    code = "legacy-record-not-found"


@dataclass(frozen=True, slots=True)
class Moved:
    id: uuid.UUID
    version: int
    created: bool  # False: we held it already (moved before, or by a concurrent caller)


def customer_key(customer_id: int) -> str:
    return f"customer:{customer_id}"


async def legacy_client_record(side: LegacySide, customer_id: int) -> ClientRecord | None:
    """The cached copy if there is one, else the legacy system's (within its deadline)."""
    cached = await side.cache.peek(customer_key(customer_id))
    if cached is not None:
        return None if cached.value is None else ClientRecord.model_validate(cached.value)
    customer = await side.client.get_customer(customer_id)
    if customer is None:  # remembered too, for the cache's shorter negative life
        await side.cache.remember(customer_key(customer_id), None, time.time())
        return None
    record = client_from_legacy(customer)
    await remember_client(side, customer_id, record)
    return record


async def remember_client(side: LegacySide, customer_id: int, record: ClientRecord) -> None:
    await side.cache.remember(
        customer_key(customer_id), record.model_dump(mode="json"), time.time()
    )


async def move_customer(customer_id: int, side: LegacySide, ours: Ours) -> Moved:
    external_id = customer_external_id(customer_id)
    held = (await ours.clients.held([external_id], ours.service_auth)).get(external_id)
    if held is not None:
        return Moved(held.id, held.version, created=False)
    record = await legacy_client_record(side, customer_id)
    if record is None:
        raise LegacyRecordNotFound(
            _t("the legacy system has no customer {customer_id}", customer_id=customer_id)
        )
    result = (await ours.clients.move_in([record], ours.service_auth))[0]
    RECORDS_MOVED.labels("clients", "on use").inc(result.outcome == "created")
    return Moved(result.id, result.version, result.outcome == "created")
