"""The parallel-run check: moved records compared with their legacy originals, field by field.

A record never edited since its move (version 1) must equal the translation of its legacy
original; a difference there is a migration defect. A record edited since is reported apart:
its differences are expected.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from servicedesk.migration.legacy_client import LegacyCustomer
from servicedesk.migration.moving import LegacySide, Ours
from servicedesk.migration.translation import (
    TranslationError,
    client_from_legacy,
    order_from_legacy,
)

COMPARED = ("display_name", "kind", "email", "phone", "tax_id")


@dataclass
class Verification:
    sampled: int = 0
    moved: int = 0
    matching: int = 0
    edited_since_move: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)


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
    originals = {}
    for customer in customers:
        try:
            record = client_from_legacy(customer).model_dump(mode="json")
        except TranslationError:
            continue
        originals[record["external_id"]] = record
    report.sampled = len(originals)
    held = await ours.clients.held(list(originals), ours.service_auth)
    for external_id, ours_record in held.items():
        report.moved += 1
        if int(ours_record["version"]) > 1:
            report.edited_since_move += 1
            continue
        differing = {
            name: {"legacy": originals[external_id][name], "ours": ours_record[name]}
            for name in COMPARED
            if originals[external_id][name] != ours_record[name]
        }
        if differing:
            report.mismatches.append({"external_id": external_id, "fields": differing})
        else:
            report.matching += 1
    return report


ORDER_COMPARED = ("number", "status", "currency", "total_amount", "items")


def _same(name: str, legacy: Any, ours: Any) -> bool:
    if name == "total_amount":
        return Decimal(str(legacy)) == Decimal(str(ours))
    if name == "items":
        return [(i["sku"], i["quantity"], Decimal(str(i["unit_price"]))) for i in legacy] == [
            (i["sku"], i["quantity"], Decimal(str(i["unit_price"]))) for i in ours
        ]
    return bool(legacy == ours)


async def verify_orders(
    side: LegacySide,
    ours: Ours,
    sample: int,
    rng: random.Random,
    order_ids: list[int] | None = None,
) -> Verification:
    """Orders are never edited on our side: any difference from the original is a defect."""
    report = Verification()
    if order_ids:
        found = [await side.client.get_order(i) for i in order_ids]
        orders = [o for o in found if o is not None]
    else:
        total = (await side.client.list_orders(count=1)).total
        offsets = sorted(rng.sample(range(total), min(sample, total))) if total else []
        orders = [
            o for at in offsets for o in (await side.client.list_orders(offset=at, count=1)).rows
        ]
    for order in orders:
        try:
            original = order_from_legacy(order, uuid.UUID(int=0)).model_dump(mode="json")
        except TranslationError:
            continue
        report.sampled += 1
        held = await ours.orders.by_external_id(original["external_id"], ours.service_auth)
        if held is None:
            continue
        report.moved += 1
        differing = {
            name: {"legacy": original[name], "ours": held[name]}
            for name in ORDER_COMPARED
            if not _same(name, original[name], held[name])
        }
        if differing:
            report.mismatches.append({"external_id": original["external_id"], "fields": differing})
        else:
            report.matching += 1
    return report
