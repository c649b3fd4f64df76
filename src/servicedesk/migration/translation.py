"""The one place where legacy shapes become ours.

`client_from_legacy` and `order_from_legacy` turn what `legacy_client` reads into the records
our `/bulk-upsert` endpoints take (`ClientRecord`, `OrderRecord`: the migration service's own
models of that JSON). Nothing legacy-shaped goes past this module.

What cannot be carried over is not guessed at: the field becomes empty and the reason goes
into the record's `dropped` (field → reason), which is never sent but kept for the parallel-run
check. What cannot be translated at all (an unknown state code, a broken amount) raises
`TranslationError`.

Decisions, applied the same way everywhere:

- **Names.** Whitespace is collapsed. A name typed in ALL CAPS is title-cased word by word
  (hyphenated parts too), keeping legal forms (`LEGAL_FORMS`: «ООО», «АО», «ИП»…) and quotes;
  an abbreviation inside such a name («РЖД») becomes «Ржд», the price of fixing caps lock.
- **Sole proprietors.** A customer whose name starts with «ИП» (or «Индивидуальный
  предприниматель») is a sole proprietor: in law a private person trading under their own
  INN of 12 digits. The legacy system files them as companies ("C"); we file them as
  `person`, so their 12-digit INN is kept. A 10-digit INN on an «ИП» does not fit a person
  and is dropped.
- **Total versus lines.** Our API refuses a total that is not the sum of the items. The lines
  are kept and the total is their sum; when the legacy `Amount` differs, the difference is
  recorded under `dropped["total_amount"]`. An order without lines keeps the legacy `Amount`.
- **Phones.** An extension (` доб. 123`) is cut off and recorded under
  `dropped["phone_extension"]`. Russian numbers typed as 8XXXXXXXXXX, +7…, 7… or ten national
  digits, with any spaces, dashes, dots and brackets, become `+7XXXXXXXXXX`; `00` and `810`
  international prefixes become `+`; foreign numbers in `+` form are kept when valid E.164.
  A +7 number must have ten national digits not starting with 0, 1 or 2. Anything else
  becomes `None` with the reason under `dropped["phone"]`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, EmailStr, Field, TypeAdapter, ValidationError

from servicedesk.migration.legacy_client import LegacyCustomer, LegacyOrder, LegacyOrderLine

CUSTOMER_PREFIX = "LC-"
"""`external_id` of a client moved from the legacy system: `LC-<CustomerID>`."""
ORDER_PREFIX = "LO-"
"""`external_id` of an order moved from the legacy system: `LO-<OrderID>`."""

MOSCOW = ZoneInfo("Europe/Moscow")
LEGACY_DATE_FORMAT = "%d.%m.%Y %H:%M:%S"
LEGAL_FORMS = frozenset({"ООО", "ОАО", "ЗАО", "ПАО", "АО", "НКО", "ИП", "ГУП", "МУП", "LLC", "LTD"})
"""Abbreviations of legal forms, kept in capitals when an ALL-CAPS name is title-cased."""
SOLE_PROPRIETOR = ("ИП", "ИНДИВИДУАЛЬНЫЙ ПРЕДПРИНИМАТЕЛЬ")
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

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_RUSSIAN = re.compile(r"^\+7[3-9][0-9]{9}$")
"""+7 and ten national digits; national numbers (and Kazakhstan's) never start with 0, 1, 2."""
_EXTENSION = re.compile(r"\s*(?:доб\.?|ext\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s\-().]")
_INN_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
_CENTS = Decimal("0.01")


class TranslationError(ValueError):
    """A legacy record that cannot become one of ours at all."""


class ClientKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class OrderStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ExternalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("1000000000000"), max_digits=18, decimal_places=4)
]
Dropped = Annotated[
    dict[str, str], Field(default_factory=dict, exclude=True, description="field → reason")
]


class ClientRecord(BaseModel):
    """One record of `POST /api/v1/clients/bulk-upsert`; `dropped` is never sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: ExternalId
    display_name: str = Field(min_length=1, max_length=200)
    kind: ClientKind
    email: str | None = None
    phone: str | None = Field(None, pattern=_E164.pattern)
    tax_id: str | None = None
    dropped: Dropped


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100_000)
    unit_price: Money


class OrderRecord(BaseModel):
    """One record of `POST /api/v1/orders/bulk-upsert`; `dropped` is never sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: ExternalId
    number: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._/-]+$")
    client_id: uuid.UUID
    status: OrderStatus
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    items: list[LineItem] = Field(max_length=100)
    total_amount: Money
    created_at: datetime
    dropped: Dropped


# --- ids ----------------------------------------------------------------------------------


def customer_external_id(customer_id: int) -> str:
    return f"{CUSTOMER_PREFIX}{customer_id}"


def order_external_id(order_id: int) -> str:
    return f"{ORDER_PREFIX}{order_id}"


def _legacy_id(external_id: str, prefix: str) -> int | None:
    number = external_id.removeprefix(prefix)
    if number == external_id or not number.isascii() or not number.isdigit():
        return None
    if number.startswith("0") or len(number) > 19:
        return None
    return int(number)


def legacy_customer_id(external_id: str) -> int | None:
    """The CustomerID behind `LC-<CustomerID>`; None for any other external id."""
    return _legacy_id(external_id, CUSTOMER_PREFIX)


def legacy_order_id(external_id: str) -> int | None:
    """The OrderID behind `LO-<OrderID>`; None for any other external id."""
    return _legacy_id(external_id, ORDER_PREFIX)


# --- clients ------------------------------------------------------------------------------


def _title_word(word: str) -> str:
    if word.strip("«»\"'„“”()") in LEGAL_FORMS:
        return word
    parts = word.split("-")
    return "-".join(_capitalise(part) for part in parts)


def _capitalise(part: str) -> str:
    lowered = part.lower()
    for index, char in enumerate(lowered):
        if char.isalpha():
            return lowered[:index] + char.upper() + lowered[index + 1 :]
    return lowered


def display_name(full_name: str) -> str:
    """Whitespace collapsed; an ALL-CAPS name title-cased, legal forms and quotes kept."""
    name = " ".join(full_name.split())
    if any(c.isalpha() for c in name) and name == name.upper():
        name = " ".join(_title_word(word) for word in name.split(" "))
    return name


def _is_sole_proprietor(name: str) -> bool:
    words = name.upper().replace("«", " ").replace("»", " ").replace('"', " ").split()
    return any(words[: len(form.split())] == form.split() for form in SOLE_PROPRIETOR)


def client_kind(cust_type: str, name: str) -> ClientKind:
    if cust_type == "P":
        return ClientKind.PERSON
    if cust_type == "C":
        return ClientKind.PERSON if _is_sole_proprietor(name) else ClientKind.COMPANY
    raise TranslationError(f"unknown customer type {cust_type!r}")


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """Russian taxpayer number: 10 digits (organisations) or 12 (individuals), check digits."""
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN_10) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN_11) == int(value[10]) and _check_digit(
            value, _INN_12
        ) == int(value[11])
    return False


def tax_id(inn: str, kind: ClientKind) -> tuple[str | None, str | None]:
    """(INN kept, reason it was dropped)."""
    value = inn.strip()
    if not value:
        return None, None
    if not inn_is_valid(value):
        return None, f"{value!r} is not a valid INN (length or check digits)"
    expected = 10 if kind is ClientKind.COMPANY else 12
    if len(value) != expected:
        return None, f"{value!r} has {len(value)} digits, a {kind.value} has {expected}"
    return value, None


def email(raw: str) -> tuple[str | None, str | None]:
    """(e-mail, reason it was dropped)."""
    value = raw.strip().lower()
    if not value:
        return None, None
    try:
        return _EMAIL.validate_python(value), None
    except ValidationError:
        return None, f"{value!r} is not a valid e-mail address"


def split_extension(raw: str) -> tuple[str, str | None]:
    """('8 (495) 123-45-67', '123') from '8 (495) 123-45-67 доб. 123'."""
    found = _EXTENSION.search(raw)
    if found is None or found.start() == 0:
        return raw, None
    return raw[: found.start()], found.group(1)


def _international(digits: str) -> str:
    if len(digits) == 10:
        return "+7" + digits  # a Russian national number typed without its country code
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("810") and len(digits) > 11:
        return "+" + digits[3:]
    return ""


def phone(raw: str) -> tuple[str | None, str | None]:
    """(E.164 number, reason it was dropped) of a number as typed; extensions must be cut off
    first (`split_extension`)."""
    typed = raw.strip()
    if not typed:
        return None, None
    compact = _PHONE_NOISE.sub("", typed)
    digits = compact.removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        return None, f"{typed!r} is not a phone number"
    number = compact if compact.startswith("+") else _international(digits)
    if number.startswith("+7") and not _RUSSIAN.match(number):
        return None, f"{typed!r}: a number in +7 has 10 digits after the code, not from 0-2"
    if not _E164.match(number):
        return None, f"{typed!r} cannot be written in E.164"
    return number, None


def client_from_legacy(customer: LegacyCustomer) -> ClientRecord:
    """A legacy customer as the record our clients service takes, `LC-<CustomerID>`."""
    name = display_name(customer.full_name)
    if not name:
        raise TranslationError(f"customer {customer.customer_id} has no name")
    kind = client_kind(customer.cust_type, name)
    dropped: dict[str, str] = {}
    mail, reason = email(customer.email)
    if reason:
        dropped["email"] = reason
    number, extension = split_extension(customer.phone)
    if extension:
        dropped["phone_extension"] = f"extension {extension} cut off: ours holds none"
    e164, reason = phone(number)
    if reason:
        dropped["phone"] = reason
    inn, reason = tax_id(customer.inn, kind)
    if reason:
        dropped["tax_id"] = reason
    try:
        return ClientRecord(
            external_id=customer_external_id(customer.customer_id),
            display_name=name,
            kind=kind,
            email=mail,
            phone=e164,
            tax_id=inn,
            dropped=dropped,
        )
    except ValidationError as exc:
        raise TranslationError(f"customer {customer.customer_id}: {exc}") from exc


# --- orders -------------------------------------------------------------------------------


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
