"""Fake orders: line items from the catalogue, totals, currencies, statuses by age.

Orders are spread over the clients' span in time order, each for a client that existed by
then (a third of them for the frequent buyers). Every order comes from a `random.Random`
seeded per batch, so any batch can be generated on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from servicedesk.ops.seeding.clients import HEAVY_EVERY, ClientCore, ClientSpace
from servicedesk.ops.seeding.draws import SEED_USER, seeded, weighted, words
from servicedesk.ops.seeding.products import PRODUCTS
from servicedesk.ops.seeding.text import fold_text

ORDER_STATUSES = ("new", "confirmed", "paid", "shipped", "completed", "cancelled")
ORDER_COLUMNS = words("""
id number client_id client_name status total_amount currency items external_id created_at
created_by search_text
""")
OrderRow = tuple[UUID, str, UUID, str, str, Decimal, str, str, str | None, datetime, str, str]
_ITEM_COUNTS = (1,) * 40 + (2,) * 27 + (3,) * 17 + (4,) * 10 + (5,) * 6
_CURRENCIES_RU = weighted("RUB:93 KZT:3 USD:2 EUR:2")
_CURRENCIES_EN = weighted("RUB:50 USD:30 EUR:20")
_ROUBLES_PER_UNIT = {"RUB": 1.0, "USD": 92.0, "EUR": 100.0, "KZT": 0.19}
# status by the order's age: (up to this many days old, statuses weighted)
_STATUS_BY_AGE = (
    (3, weighted("new:40 confirmed:25 paid:20 shipped:5 cancelled:10")),
    (14, weighted("new:10 confirmed:15 paid:25 shipped:30 completed:12 cancelled:8")),
    (60, weighted("confirmed:3 paid:5 shipped:12 completed:70 cancelled:10")),
    (10**9, weighted("shipped:2 completed:88 cancelled:10")),
)


def format_number(number: int) -> str:
    return f"ORD-{number:07d}"


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """The orders of one run, numbered from `first_number`, spread over the clients' span."""

    key: bytes
    count: int
    first_number: int
    external_base: int
    now_ts: int


def _pick_client(rng: random.Random, existing: int) -> int:
    """Skewed: 30% of orders go to the frequent buyers; older clients have had more time."""
    if rng.random() < 0.3:
        return HEAVY_EVERY * int(rng.random() * ((existing - 1) // HEAVY_EVERY + 1))
    return int(rng.random() * existing)


def _line_items(rng: random.Random, currency: str) -> tuple[str, list[str], int]:
    """(items as JSON, their folded titles, total in hundredths of the currency)."""
    rate = _ROUBLES_PER_UNIT[currency]
    parts: list[str] = []
    titles: list[str] = []
    total = 0
    for _ in range(_ITEM_COUNTS[int(rng.random() * len(_ITEM_COUNTS))]):
        product = PRODUCTS[int(rng.random() * len(PRODUCTS))]
        if product.bulk:
            quantity = rng.randint(1, 20)
        else:
            quantity = 1 if rng.random() < 0.8 else rng.randint(2, 5)
        price = int(product.price_kopecks * (1 - rng.random() * 0.08) / rate)
        price -= price % 100 if currency == "RUB" else 0
        total += quantity * price
        unit_price = f"{price // 100}.{price % 100:02d}"
        parts.append(f'{product.json_head}, "quantity": {quantity}, "unit_price": "{unit_price}"}}')
        titles.append(product.folded_title)
    return f"[{', '.join(parts)}]", titles, total


def _status(rng: random.Random, age_s: float) -> str:
    for max_days, statuses in _STATUS_BY_AGE:
        if age_s <= max_days * 86400:
            return statuses[int(rng.random() * len(statuses))]
    raise AssertionError("unreachable")


def _order(
    rng: random.Random, plan: OrderPlan, index: int, ts: float, client: ClientCore
) -> OrderRow:
    number = format_number(plan.first_number + index)
    currency = (_CURRENCIES_RU if client.russian else _CURRENCIES_EN)[int(rng.random() * 100)]
    items, titles, total = _line_items(rng, currency)
    external_id = f"LO-{plan.external_base + index}" if rng.random() < 0.05 else None
    # folding the parts apart is folding the whole: none starts or ends with a space
    search_text = f"{number.lower()} {fold_text(client.display_name)} {' '.join(titles)}"
    return (
        UUID(int=rng.getrandbits(128), version=4),
        number,
        client.id,
        client.display_name,
        _status(rng, plan.now_ts - ts),
        Decimal(total).scaleb(-2),
        currency,
        items,
        external_id,
        datetime.fromtimestamp(int(ts), UTC),
        SEED_USER,
        search_text,
    )


def indexed_order_rows(
    space: ClientSpace, plan: OrderPlan, start: int, stop: int
) -> list[tuple[int, OrderRow]]:
    """Orders `start`..`stop-1` of the run, in time order, each with the index of its client."""
    rng = seeded(f"{plan.key.hex()}/orders/{start}")
    step = space.span_s / plan.count
    rows: list[tuple[int, OrderRow]] = []
    for index in range(start, stop):
        ts = space.start_ts + (index + rng.random()) * step
        client_index = _pick_client(rng, space.existing_at(ts))
        client = space.core(client_index)
        if ts < client.created_ts:  # only the very first orders, before any client existed
            ts = min(client.created_ts + rng.randint(60, 86_400), plan.now_ts)
        rows.append((client_index, _order(rng, plan, index, ts, client)))
    return rows


def order_rows(space: ClientSpace, plan: OrderPlan, start: int, stop: int) -> list[OrderRow]:
    """Orders `start`..`stop-1` of the run, in time order, each for a client of `space`."""
    return [row for _, row in indexed_order_rows(space, plan, start, stop)]
