"""Phone numbers at the edge: whatever a person or a gateway writes, stored as E.164.

    normalize_phone("8 (912) 345-67-89")  -> "+79123456789"
    normalize_phone("9123456789")         -> "+79123456789"
    normalize_phone("+44 20 7946 0018")   -> "+442079460018"

Numbers without a country code are read in `region` (Russia by default); letters ("vanity"
numbers), impossible lengths and numbers no operator hands out are refused with a reason.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

# Digits, a leading plus and the separators people type; anything else is not a phone number.
WRITTEN_PHONE = re.compile(r"^\+?[\d\s().\-]+$")
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "impossible length",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


class InvalidPhone(ValueError):
    """A string that is not a phone number anyone could text; `reason` says why."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"{raw!r} is not a phone number: {reason}")
        self.raw = raw
        self.reason = reason


def normalize_phone(raw: str, region: str = "RU") -> str:
    """The number in E.164 (`+79123456789`), or `InvalidPhone` with the reason."""
    written = raw.strip()
    if not written:
        raise InvalidPhone(raw, "empty")
    if not WRITTEN_PHONE.match(written) or not any(c.isdigit() for c in written):
        raise InvalidPhone(raw, "only digits, '+', spaces, dots, dashes and brackets are allowed")
    try:
        number = phonenumbers.parse(written, region)
    except NumberParseException as error:
        raise InvalidPhone(raw, str(error.args[0] if error.args else error)) from error
    length = phonenumbers.is_possible_number_with_reason(number)
    if length not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        raise InvalidPhone(raw, _LENGTH_REASONS.get(length, "impossible number"))
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw, "no such number is in use")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def digits_only(e164: str) -> str:
    """`+79123456789` -> `79123456789`: how Russian gateways take numbers."""
    return e164.lstrip("+")
