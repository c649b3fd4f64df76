"""One client or order by reference, for services that must check one (the tickets service).

A reference is our id (a UUID) or a legacy id (`LC-<n>`, `LO-<n>`). A record we hold wins: a
legacy id we hold answers with our record. What only the legacy system has is read through the
cache (ADR 0014) and the shared breaker, and shown as the proxy's lists show it; a lookup never
moves a record in (only edits and new orders do). With the legacy system failing, slow or its
breaker open, and no copy of the record in the cache, the answer is a 503 with Retry-After:
a record that may well exist is not reported missing.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from servicedesk.kernel.errors import InvalidInput, NotFound, ServiceUnavailable
from servicedesk.migration.legacy_client import LegacyUnavailable
from servicedesk.migration.metrics import BREAKER_OPEN
from servicedesk.migration.moving import LegacySide, Ours, customer_key, legacy_client_record
from servicedesk.migration.orders_proxy import UNKNOWN_CLIENT, ClientNotFound, _legacy_view
from servicedesk.migration.our_clients import OurServiceFailed, client_path
from servicedesk.migration.our_orders import ORDERS
from servicedesk.migration.translation import (
    TranslationError,
    customer_external_id,
    legacy_customer_id,
    legacy_order_id,
    order_external_id,
    order_from_legacy,
)

RETRY_AFTER_S = 2
"""What a 503 asks callers to wait, unless the breaker says how long it stays open."""

Record = dict[str, Any]


class OrderNotFound(NotFound):
    code = "order-not-found"


class UntranslatableRecord(NotFound):
    code, title = "legacy-record-untranslatable", "Legacy record cannot be shown"


class LegacyLookupUnavailable(ServiceUnavailable):
    code, title = "legacy-unavailable", "Legacy system unavailable"


def order_key(order_id: int) -> str:
    return f"order:{order_id}"


def parse_reference(
    reference: str, legacy_id: Callable[[str], int | None], legacy_form: str
) -> uuid.UUID | int:
    """Our id, or the number behind a legacy id; anything else is a 422 naming `reference`."""
    try:
        return uuid.UUID(reference)
    except ValueError:
        pass
    number = legacy_id(reference)
    if number is None:
        reason = f"neither our id (a UUID) nor a legacy id ({legacy_form})"
        raise InvalidInput(
            f"reference: {reason}",
            extra={"errors": [{"field": "reference", "location": "path", "reason": reason}]},
        )
    return number


def _unavailable(reason: str, side: LegacySide) -> LegacyLookupUnavailable:
    wait = math.ceil(side.breaker.open_s) if reason == "breaker-open" else RETRY_AFTER_S
    return LegacyLookupUnavailable(
        f"the legacy system cannot be asked now ({reason}) and no copy is cached;"
        " try again shortly",
        extra={"source": "legacy", "reason": reason},
        headers={"Retry-After": str(wait)},
    )


async def _legacy_read(
    side: LegacySide, key: str, fetch: Callable[[], Awaitable[Record | None]]
) -> Record | None:
    """The cached copy, else what the legacy system answers if the breaker lets us ask (None:
    it has no such record); a failure is counted by the breaker and becomes a 503."""
    cached = await side.cache.peek(key)
    if cached is not None:
        return cached.value
    if not await side.breaker.allow():
        BREAKER_OPEN.set(1)
        raise _unavailable("breaker-open", side)
    try:
        value = await fetch()
    except LegacyUnavailable as exc:
        await side.breaker.record_failure()
        raise _unavailable(exc.reason, side) from exc
    except TranslationError as exc:  # the legacy system answered: it is healthy
        await side.breaker.record_success()
        raise UntranslatableRecord(f"{key} cannot be translated: {exc}") from exc
    await side.breaker.record_success()
    BREAKER_OPEN.set(0)
    return value


# --- clients ------------------------------------------------------------------------------


def our_client_view(client: Record) -> Record:
    return {**client, "source": "ours", "migrated": bool(client.get("external_id"))}


def legacy_client_view(record: Record) -> Record:
    return {**record, "id": None, "source": "legacy", "migrated": False}


async def find_client(reference: str, ours: Ours, side: LegacySide) -> Record:
    """Our client by id or legacy id, else the legacy system's (cached, not moved)."""
    parsed = parse_reference(reference, legacy_customer_id, "LC-<n>")
    if isinstance(parsed, uuid.UUID):
        return our_client_view(await _our_client(parsed, ours))
    external_id = customer_external_id(parsed)
    held = (await ours.clients.held([external_id], ours.service_auth)).get(external_id)
    if held is not None:
        return our_client_view(held)
    customer_id = parsed
    record = await _legacy_read(
        side, customer_key(customer_id), lambda: legacy_client_record(side, customer_id)
    )
    if record is None:
        raise ClientNotFound(f"no client {reference}, neither ours nor in the legacy system")
    return legacy_client_view(record)


async def _our_client(client_id: uuid.UUID, ours: Ours) -> Record:
    found = await _our_client_or_none(client_id, ours)
    if found is None:
        raise ClientNotFound(f"client {client_id} does not exist")
    return found


async def _our_client_or_none(client_id: uuid.UUID, ours: Ours) -> Record | None:
    """Read with the migration service's account: callers such as the tickets service hold
    tokens for the proxy only, and the proxy has checked their roles already."""
    answer = await ours.clients.forward("GET", client_path(client_id), ours.service_auth)
    if answer.status_code == 404:
        return None
    if answer.status_code != 200:
        raise OurServiceFailed(f"our clients service answered {answer.status_code}")
    found: Record = answer.json()
    return found


# --- orders -------------------------------------------------------------------------------


async def legacy_order_record(side: LegacySide, order_id: int) -> Record | None:
    """The legacy order as ours would hold it (client unknown yet) and its CustomerID; cached,
    a miss too (for the cache's shorter negative life)."""
    order = await side.client.get_order(order_id)
    if order is None:
        await side.cache.remember(order_key(order_id), None, time.time())
        return None
    record = order_from_legacy(order, UNKNOWN_CLIENT).model_dump(mode="json")
    entry = {"order": record, "customer_id": order.customer_id}
    await side.cache.remember(order_key(order_id), entry, time.time())
    return entry


async def find_order(reference: str, ours: Ours, side: LegacySide) -> Record:
    """Our order by id or legacy id, else the legacy system's (cached, not moved). Each answer
    names its client both ways: `client_id` (ours, if we hold it) and `client_external_id`."""
    parsed = parse_reference(reference, legacy_order_id, "LO-<n>")
    if isinstance(parsed, uuid.UUID):
        return await _our_order_view(await _our_order(parsed, ours), ours)
    held = await ours.orders.by_external_id(order_external_id(parsed), ours.service_auth)
    if held is not None:
        return await _our_order_view(held, ours)
    order_id = parsed
    entry = await _legacy_read(
        side, order_key(order_id), lambda: legacy_order_record(side, order_id)
    )
    if entry is None:
        raise OrderNotFound(f"no order {reference}, neither ours nor in the legacy system")
    client_external_id = customer_external_id(int(entry["customer_id"]))
    client = (await ours.clients.held([client_external_id], ours.service_auth)).get(
        client_external_id
    )
    client_id = uuid.UUID(str(client["id"])) if client else None
    return {**_legacy_view(entry["order"], client_id), "client_external_id": client_external_id}


async def _our_order(order_id: uuid.UUID, ours: Ours) -> Record:
    answer = await ours.orders.forward("GET", f"{ORDERS}/{order_id}", ours.service_auth)
    if answer.status_code == 404:
        raise OrderNotFound(f"order {order_id} does not exist")
    if answer.status_code != 200:
        raise OurServiceFailed(f"our orders service answered {answer.status_code}")
    found: Record = answer.json()
    return found


async def _our_order_view(order: Record, ours: Ours) -> Record:
    client = await _our_client_or_none(uuid.UUID(str(order["client_id"])), ours)
    return {
        **order,
        "client_external_id": client.get("external_id") if client else None,
        "source": "ours",
        "migrated": bool(order.get("external_id")),
    }
