"""Our fake clients and orders in the legacy system's shapes.

What the old system holds: phones as people typed them, "P"/"C", Russian state codes, "RUR"
for roubles (tenge orders were re-priced in roubles), order lines as Article/Name/Qty/Price
with decimal commas, numbers like 2024/000123.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

from servicedesk.ops.seeding.clients import ClientRow
from servicedesk.ops.seeding.draws import words
from servicedesk.ops.seeding.orders import OrderRow

CUSTOMER_COLUMNS = words(
    "customer_id full_name cust_type email phone_raw inn created_at modified_at"
)
ORDER_COLUMNS = words("order_id order_no customer_id state amount currency lines created_at")
STATES = dict(
    zip(
        ("new", "confirmed", "paid", "shipped", "completed", "cancelled"),
        ("НОВ", "ПОДТВ", "ОПЛ", "ОТГР", "ЗАКР", "ОТМ"),
        strict=True,
    )
)
_ROUBLES_PER_TENGE = Decimal("0.19")
_CENT = Decimal("0.01")
# (weight, format) of a Russian number typed by a person: code, 3 digits, 2, 2
_RU_PHONE_STYLES = (
    (30, "8 ({0}) {1}-{2}-{3}"),
    (20, "+7 {0} {1}{2}{3}"),
    (20, "8{0}{1}{2}{3}"),
    (15, "+7 ({0}) {1}-{2}-{3}"),
    (10, "8-{0}-{1}-{2}-{3}"),
    (5, "+7{0}{1}{2}{3}"),
)
_RU_PHONE_FORMATS = tuple(f for weight, f in _RU_PHONE_STYLES for _ in range(weight))


def raw_phone(e164: str, rng: random.Random) -> str:
    """A number as someone typed it into the old system: 8 (916) 123-45-67, +7 916 1234567…"""
    if e164.startswith("+7") and len(e164) == 12:
        digits = e164[2:]
        parts = (digits[:3], digits[3:6], digits[6:8], digits[8:])
        typed = _RU_PHONE_FORMATS[int(rng.random() * len(_RU_PHONE_FORMATS))].format(*parts)
        if not digits.startswith("9") and rng.random() < 0.1:
            typed += f" доб. {rng.randint(10, 999)}"  # an extension on an office line
        return typed
    if e164.startswith("+44") and len(e164) == 13:
        return f"+44 {e164[3:7]} {e164[7:]}"
    if e164.startswith("+1") and len(e164) == 12:
        return f"+1 ({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def _decimal_comma(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def legacy_lines(items_json: str, currency: str) -> tuple[str, Decimal, str]:
    """(lines as JSON, their sum, currency): tenge prices are re-priced in roubles."""
    lines: list[dict[str, Any]] = []
    amount = Decimal(0)
    for item in json.loads(items_json):
        price = Decimal(item["unit_price"])
        if currency == "KZT":
            price = (price * _ROUBLES_PER_TENGE).quantize(_CENT)
        amount += price * item["quantity"]
        lines.append(
            {
                "Article": item["sku"],
                "Name": item["title"],
                "Qty": item["quantity"],
                "Price": _decimal_comma(price),
            }
        )
    legacy_currency = "RUR" if currency in ("RUB", "KZT") else currency
    return json.dumps(lines, ensure_ascii=False), amount, legacy_currency


def customer_record(customer_id: int, row: ClientRow, rng: random.Random) -> tuple[Any, ...]:
    """A row of legacy.customers made of one of our client rows."""
    _id, name, kind, email, phone, inn, _ext, _ver, created, _by, updated, _ = row
    if kind == "person" and rng.random() < 0.03:
        name = name.upper()  # typed with caps lock on, as some were
    phone_raw = raw_phone(phone, rng) if phone else None
    cust_type = "P" if kind == "person" else "C"
    return (customer_id, name, cust_type, email, phone_raw, inn, created, updated)


def order_record(order_id: int, row: OrderRow, customer_id: int) -> tuple[Any, ...]:
    """A row of legacy.orders made of one of our order rows."""
    status, currency, items, created = row[4], row[6], row[7], row[9]
    lines, amount, legacy_currency = legacy_lines(items, currency)
    number = f"{created.year}/{order_id:06d}"
    return (order_id, number, customer_id, STATES[status], amount, legacy_currency, lines, created)
