"""Legacy orders as ours: amounts, dates, states, currencies and lines (see the package)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from servicedesk.migration.adapters.legacy_api import LegacyOrder, LegacyOrderLine
from servicedesk.migration.schemas import LineItem, OrderRecord, OrderStatus
from servicedesk.migration.translation.ids import TranslationError, order_external_id

MOSCOW = ZoneInfo("Europe/Moscow")
LEGACY_DATE_FORMAT = "%d.%m.%Y %H:%M:%S"
STATUSES = {
    "НОВ": "new",
    "ПОДТВ": "confirmed",
    "ОПЛ": "paid",
    "ОТГР": "shipped",
    "ЗАКР": "completed",
    "ОТМ": "cancelled",
}
CURRENCIES = {"RUR": "RUB"}
"""Legacy currency codes that are not ISO 4217 today; the others are taken as they are."""


def amount(value: str) -> Decimal:
    """'1234,50' → Decimal('1234.50')."""
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise TranslationError(f"{value!r} is not an amount") from None
    if not parsed.is_finite():
        raise TranslationError(f"{value!r} is not an amount")
    return parsed


def legacy_datetime(value: str) -> datetime:
    """'16.01.2024 00:30:00' (Moscow time) → an aware datetime."""
    try:
        naive = datetime.strptime(value.strip(), LEGACY_DATE_FORMAT)
    except ValueError:
        raise TranslationError(f"{value!r} is not a date as dd.MM.yyyy HH:mm:ss") from None
    return naive.replace(tzinfo=MOSCOW)


def order_status(state: str) -> OrderStatus:
    try:
        return OrderStatus(STATUSES[state.strip()])
    except KeyError:
        raise TranslationError(f"unknown order state {state!r}") from None


def currency(code: str) -> str:
    value = code.strip().upper()
    return CURRENCIES.get(value, value)


def _item(line: LegacyOrderLine) -> LineItem:
    return LineItem(
        sku=line.article.strip(),
        title=" ".join(line.name.split()),
        quantity=line.qty,
        unit_price=amount(line.price),
    )


def order_from_legacy(order: LegacyOrder, client_id: uuid.UUID) -> OrderRecord:
    """A legacy order as the record our orders service takes, `LO-<OrderID>`, of `client_id`
    (ours, for the order's customer moved first)."""
    dropped: dict[str, str] = {}
    total = amount(order.amount)
    try:
        items = [_item(line) for line in order.lines]
        if items:
            computed = sum((i.unit_price * i.quantity for i in items), Decimal(0))
            if computed != total:
                dropped["total_amount"] = (
                    f"legacy Amount {order.amount} is not the sum of the lines; their sum kept"
                )
            total = computed
        return OrderRecord(
            external_id=order_external_id(order.order_id),
            number=order.order_no.strip(),
            client_id=client_id,
            status=order_status(order.state),
            currency=currency(order.currency),
            items=items,
            total_amount=total,
            created_at=legacy_datetime(order.created_at),
            dropped=dropped,
        )
    except ValidationError as exc:
        raise TranslationError(f"order {order.order_id}: {exc}") from exc
