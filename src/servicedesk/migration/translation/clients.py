"""Legacy customers as our clients: names, kinds, INN, e-mail and phones (see the package)."""

from __future__ import annotations

import re

from pydantic import EmailStr, TypeAdapter, ValidationError

from servicedesk.migration.adapters.legacy_api import LegacyCustomer
from servicedesk.migration.schemas import E164_PATTERN, ClientKind, ClientRecord
from servicedesk.migration.translation.ids import TranslationError, customer_external_id

LEGAL_FORMS = frozenset({"ООО", "ОАО", "ЗАО", "ПАО", "АО", "НКО", "ИП", "ГУП", "МУП", "LLC", "LTD"})
"""Abbreviations of legal forms, kept in capitals when an ALL-CAPS name is title-cased."""
SOLE_PROPRIETOR = ("ИП", "ИНДИВИДУАЛЬНЫЙ ПРЕДПРИНИМАТЕЛЬ")

_E164 = re.compile(E164_PATTERN)
_RUSSIAN = re.compile(r"^\+7[3-9][0-9]{9}$")
"""+7 and ten national digits; national numbers (and Kazakhstan's) never start with 0, 1, 2."""
_EXTENSION = re.compile(r"\s*(?:доб\.?|ext\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s\-().]")
_INN_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


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
