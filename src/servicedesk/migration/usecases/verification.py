"""The parallel-run check: moved records compared with their legacy originals, field by field.

A record never edited since its move (version 1) must equal the translation of its legacy
original; a difference there is a migration defect. A record edited since is reported apart:
its differences are expected.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, Literal

from servicedesk.migration.adapters.legacy_api import LegacyCustomer, LegacyOrder
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import FieldDifference, JsonObject, Mismatch, Verification
from servicedesk.migration.translation import (
    TranslationError,
    client_from_legacy,
    order_from_legacy,
)
from servicedesk.migration.usecases.orders import UNKNOWN_CLIENT

COMPARED = ("display_name", "kind", "email", "phone", "tax_id")
ORDER_COMPARED = ("number", "status", "currency", "total_amount", "items")


async def _sampled(side: LegacySide, sample: int, rng: random.Random) -> list[LegacyCustomer]:
    total = (await side.client.search_customers(count=1)).total
    offsets = sorted(rng.sample(range(total), min(sample, total))) if total else []
    return [
        customer
        for offset in offsets
        for customer in (await side.client.search_customers(offset=offset, count=1)).rows
    ]


async def _named(side: LegacySide, customer_ids: list[int]) -> list[LegacyCustomer]:
    found = [await side.client.get_customer(i) for i in customer_ids]
    return [c for c in found if c is not None]


def _differences(
    names: tuple[str, ...], legacy: JsonObject, ours: JsonObject
) -> dict[str, FieldDifference]:
    return {
        name: FieldDifference(legacy=legacy[name], ours=ours[name])
        for name in names
        if not _same(name, legacy[name], ours[name])
    }


async def verify_clients(
    side: LegacySide,
    ours: Ours,
    sample: int,
    rng: random.Random,
    customer_ids: list[int] | None = None,
) -> Verification:
    """Checks the legacy customers named (or a random sample of all) that we hold against
    their originals."""
    report = Verification()
    customers = await (_named(side, customer_ids) if customer_ids else _sampled(side, sample, rng))
    originals: dict[str, JsonObject] = {}
    for customer in customers:
        try:
            record = client_from_legacy(customer)
        except TranslationError:
            continue
        originals[record.external_id] = record.model_dump(mode="json")
    report.sampled = len(originals)
    held = await ours.clients.held(list(originals), ours.service_auth)
    for external_id, ours_record in held.items():
        report.moved += 1
        if ours_record.version > 1:
            report.edited_since_move += 1
            continue
        differing = _differences(COMPARED, originals[external_id], ours_record.fields())
        if differing:
            report.mismatches.append(Mismatch(external_id=external_id, fields=differing))
        else:
            report.matching += 1
    return report


def _same(name: str, legacy: Any, ours: Any) -> bool:
    if name == "total_amount":
        return Decimal(str(legacy)) == Decimal(str(ours))
    if name == "items":
        return [(i["sku"], i["quantity"], Decimal(str(i["unit_price"]))) for i in legacy] == [
            (i["sku"], i["quantity"], Decimal(str(i["unit_price"]))) for i in ours
        ]
    return bool(legacy == ours)


async def _orders(
    side: LegacySide, sample: int, rng: random.Random, order_ids: list[int] | None
) -> list[LegacyOrder]:
    if order_ids:
        found = [await side.client.get_order(i) for i in order_ids]
        return [o for o in found if o is not None]
    total = (await side.client.list_orders(count=1)).total
    offsets = sorted(rng.sample(range(total), min(sample, total))) if total else []
    return [o for at in offsets for o in (await side.client.list_orders(offset=at, count=1)).rows]


async def verify_orders(
    side: LegacySide,
    ours: Ours,
    sample: int,
    rng: random.Random,
    order_ids: list[int] | None = None,
) -> Verification:
    """Orders are never edited on our side: any difference from the original is a defect."""
    report = Verification()
    for order in await _orders(side, sample, rng, order_ids):
        try:
            original = order_from_legacy(order, UNKNOWN_CLIENT)
        except TranslationError:
            continue
        report.sampled += 1
        held = await ours.orders.by_external_id(original.external_id, ours.service_auth)
        if held is None:
            continue
        report.moved += 1
        legacy_fields = original.model_dump(mode="json")
        differing = _differences(ORDER_COMPARED, legacy_fields, held.fields())
        if differing:
            report.mismatches.append(Mismatch(external_id=original.external_id, fields=differing))
        else:
            report.matching += 1
    return report


async def verify(
    entity: Literal["clients", "orders"],
    side: LegacySide,
    ours: Ours,
    sample: int,
    rng: random.Random,
    ids: list[int] | None,
) -> Verification:
    if entity == "orders":
        return await verify_orders(side, ours, sample, rng, ids)
    return await verify_clients(side, ours, sample, rng, ids)
