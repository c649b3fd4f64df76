"""One client or order by reference, for services that must check one (the tickets service).

A reference is our id (a UUID) or a legacy id (`LC-<n>`, `LO-<n>`). A record we hold wins: a
legacy id we hold answers with our record. What only the legacy system has is read through the
cache (ADR 0014) and the shared breaker, and shown as the proxy's lists show it; a lookup never
moves a record in (only edits and new orders do). With the legacy system failing, slow or its
breaker open, and no copy of the record in the cache, the answer is a 503 with Retry-After:
a record that may well exist is not reported missing.

Our records are read with the migration service's account: callers such as the tickets service
may hold tokens for the proxy only, and the proxy has checked their roles already.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel

from servicedesk.kernel.errors import NotFound, ServiceUnavailable, invalid_field
from servicedesk.kernel.i18n import _t
from servicedesk.migration.adapters.legacy_api import LegacyUnavailable
from servicedesk.migration.metrics import BREAKER_OPEN
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import (
    ClientItem,
    ClientRecord,
    LegacyOrderEntry,
    OrderItem,
    OurOrder,
)
from servicedesk.migration.translation import (
    TranslationError,
    customer_external_id,
    legacy_customer_id,
    legacy_order_id,
    order_external_id,
    order_from_legacy,
)
from servicedesk.migration.usecases.moving import customer_key, legacy_client_record
from servicedesk.migration.usecases.orders import UNKNOWN_CLIENT, ClientNotFound

RETRY_AFTER_S = 2
"""What a 503 asks callers to wait, unless the breaker says how long it stays open."""

Found = TypeVar("Found", bound=BaseModel)


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
        reason = _t(
            "neither our id (a UUID) nor a legacy id ({legacy_form})", legacy_form=legacy_form
        )
        raise invalid_field("reference", reason, location="path")
    return number


def _unavailable(reason: str, side: LegacySide) -> LegacyLookupUnavailable:
    wait = math.ceil(side.breaker.open_s) if reason == "breaker-open" else RETRY_AFTER_S
    return LegacyLookupUnavailable(
        _t(
            "the legacy system cannot be asked now ({reason}) and no copy is cached;"
            " try again shortly",
            reason=reason,
        ),
        extra={"source": "legacy", "reason": reason},
        headers={"Retry-After": str(wait)},
    )


async def _legacy_read(
    side: LegacySide,
    key: str,
    model: type[Found],
    fetch: Callable[[], Awaitable[Found | None]],
) -> Found | None:
    """The cached copy, else what the legacy system answers if the breaker lets us ask (None:
    it has no such record); a failure is counted by the breaker and becomes a 503."""
    cached = await side.cache.peek(key)
    if cached is not None:
        return None if cached.value is None else model.model_validate(cached.value)
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


async def find_client(reference: str, ours: Ours, side: LegacySide) -> ClientItem:
    """Our client by id or legacy id, else the legacy system's (cached, not moved)."""
    parsed = parse_reference(reference, legacy_customer_id, "LC-<n>")
    if isinstance(parsed, uuid.UUID):
        client = await ours.clients.get(parsed, ours.service_auth)
        if client is None:
            raise ClientNotFound(_t("client {client_id} does not exist", client_id=parsed))
        return ClientItem.ours(client)
    external_id = customer_external_id(parsed)
    held = (await ours.clients.held([external_id], ours.service_auth)).get(external_id)
    if held is not None:
        return ClientItem.ours(held)
    customer_id = parsed
    record = await _legacy_read(
        side,
        customer_key(customer_id),
        ClientRecord,
        lambda: legacy_client_record(side, customer_id),
    )
    if record is None:
        raise ClientNotFound(
            _t("no client {reference}, neither ours nor in the legacy system", reference=reference)
        )
    return ClientItem.legacy(record)


async def legacy_order_entry(side: LegacySide, order_id: int) -> LegacyOrderEntry | None:
    """The legacy order as ours would hold it (client unknown yet) and its CustomerID; cached,
    a miss too (for the cache's shorter negative life)."""
    order = await side.client.get_order(order_id)
    if order is None:
        await side.cache.remember(order_key(order_id), None, time.time())
        return None
    entry = LegacyOrderEntry(
        order=order_from_legacy(order, UNKNOWN_CLIENT), customer_id=order.customer_id
    )
    await side.cache.remember(order_key(order_id), entry.model_dump(mode="json"), time.time())
    return entry


async def find_order(reference: str, ours: Ours, side: LegacySide) -> OrderItem:
    """Our order by id or legacy id, else the legacy system's (cached, not moved). Each answer
    names its client both ways: `client_id` (ours, if we hold it) and `client_external_id`."""
    parsed = parse_reference(reference, legacy_order_id, "LO-<n>")
    if isinstance(parsed, uuid.UUID):
        order = await ours.orders.get(parsed, ours.service_auth)
        if order is None:
            raise OrderNotFound(_t("order {order_id} does not exist", order_id=parsed))
        return await _our_order_item(order, ours)
    held = await ours.orders.by_external_id(order_external_id(parsed), ours.service_auth)
    if held is not None:
        return await _our_order_item(held, ours)
    order_id = parsed
    entry = await _legacy_read(
        side, order_key(order_id), LegacyOrderEntry, lambda: legacy_order_entry(side, order_id)
    )
    if entry is None:
        raise OrderNotFound(
            _t("no order {reference}, neither ours nor in the legacy system", reference=reference)
        )
    client_external_id = customer_external_id(entry.customer_id)
    held_client = await ours.clients.held([client_external_id], ours.service_auth)
    client = held_client.get(client_external_id)
    return OrderItem.legacy(
        entry.order, client.id if client else None, client_external_id=client_external_id
    )


async def _our_order_item(order: OurOrder, ours: Ours) -> OrderItem:
    client = await ours.clients.get(order.client_id, ours.service_auth)
    return OrderItem.ours(order, client_external_id=client.external_id if client else None)
