"""What the orders API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Self

from babel import Locale
from babel.numbers import get_currency_precision, get_territory_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from servicedesk.kernel.i18n import _t
from servicedesk.kernel.validation import ExternalId

MAX_AMOUNT = Decimal("1000000000000")


@cache
def active_currencies() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today."""
    territories = Locale("en").territories
    return frozenset(c for t in territories for c in get_territory_currencies(str(t)))


def _check_currency(value: str) -> str:
    if value not in active_currencies():
        raise ValueError(_t("must be an active ISO 4217 currency code, e.g. RUB, USD, EUR"))
    return value


Currency = Annotated[
    str,
    BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
    Field(min_length=3, max_length=3),
    AfterValidator(_check_currency),
]
Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=18, decimal_places=4)]


class OrderStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100_000)
    unit_price: Money

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


def _fits_currency(amount: Decimal, currency: str, field: str) -> None:
    places = get_currency_precision(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(
            _t(
                "has more than {places} decimal places for {currency}",
                places=places,
                currency=currency,
            )
        )


class OrderCreate(BaseModel):
    """A total may be left out when items are given: it is their sum."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_id: uuid.UUID
    status: OrderStatus = OrderStatus.NEW
    currency: Currency
    items: list[LineItem] = Field(default_factory=list, max_length=100)
    total_amount: Money | None = Field(None, validate_default=True)

    @field_validator("items")
    @classmethod
    def prices_fit_currency(cls, items: list[LineItem], info: ValidationInfo) -> list[LineItem]:
        currency = info.data.get("currency")
        if currency:
            for item in items:
                _fits_currency(item.unit_price, currency, "unit_price")
        return items

    @field_validator("total_amount")
    @classmethod
    def total_matches_items(cls, total: Decimal | None, info: ValidationInfo) -> Decimal:
        items: list[LineItem] = info.data.get("items") or []
        if items:
            computed = sum((i.amount for i in items), Decimal(0))
            if total is not None and total != computed:
                raise ValueError(
                    _t(
                        "{total} is not the sum of the items, {computed}",
                        total=total,
                        computed=computed,
                    )
                )
            total = computed
        if total is None:
            raise ValueError(_t("required when there are no items"))
        currency = info.data.get("currency")
        if currency:
            _fits_currency(total, currency, "total_amount")
        return total


class OrderImport(OrderCreate):
    external_id: ExternalId
    number: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._/-]+$")
    created_at: datetime | None = None


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    client_id: uuid.UUID
    client_name: str
    status: OrderStatus
    total_amount: Decimal
    currency: str
    items: list[LineItem]
    external_id: str | None
    created_at: datetime
    created_by: str
    moved_at: datetime | None = Field(None, description="when it came from the legacy system")


class OrderMatch(OrderOut):
    score: float


class BulkOrderUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[OrderImport] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def external_ids_unique(self) -> Self:
        seen = [r.external_id for r in self.records]
        if len(seen) != len(set(seen)):
            raise ValueError(_t("each external_id may appear once per request"))
        return self


class OrderUpsertResult(BaseModel):
    external_id: str
    id: uuid.UUID
    number: str
    outcome: str = Field(description="created, or kept: orders already held are never rewritten")


class OrdersNewestAfter(BaseModel):
    """Where a page of orders, newest first, ended: the key inside its cursor."""

    model_config = ConfigDict(extra="forbid")

    created_at: datetime
    id: uuid.UUID


class OrderNumbersAfter(BaseModel):
    """Where a page of orders found by number ended."""

    model_config = ConfigDict(extra="forbid")

    number: str


class OrderMatchesAfter(BaseModel):
    """Where a page of orders found by text ended (best match first, then newest)."""

    model_config = ConfigDict(extra="forbid")

    score: float
    created_at: datetime
    id: uuid.UUID
