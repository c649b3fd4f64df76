"""Phone numbers and SMS parts as the providers see them (the fake's own reading: it shares
no code with the adapters it is there to test).

Numbers: `phonenumbers` in the Russian region, refused unless valid; stored in E.164.
Parts: GSM-7 (basic set, extension characters take 2 septets) 160 alone / 153 per part, else
UCS-2 70 / 67 in UTF-16 units; a 2-unit character never straddles two parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import phonenumbers

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = "\f^{}\\[~]|€"
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}


class NotAPhone(ValueError):
    """Not a number a provider would take."""


def e164(raw: str, region: str = "RU") -> str:
    """`8 (912) 345-67-89` -> `+79123456789`; `NotAPhone` for anything else."""
    if not raw.strip() or any(char.isalpha() for char in raw):
        raise NotAPhone(raw)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise NotAPhone(raw) from error
    if not phonenumbers.is_valid_number(number):
        raise NotAPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country(number: str) -> str:
    """The ISO country of an E.164 number ("RU"), "" when unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""


@dataclass(frozen=True, slots=True)
class Parts:
    encoding: Literal["gsm7", "ucs2"]
    units: int
    parts: int
    per_part: int


def split(text: str) -> Parts:
    """How many SMS parts carry `text`."""
    gsm = all(char in BASIC or char in EXTENDED for char in text)
    if gsm:
        sizes = [2 if char in EXTENDED else 1 for char in text]
    else:
        sizes = [len(char.encode("utf-16-le")) // 2 for char in text]
    single, per_part = LIMITS["gsm7" if gsm else "ucs2"]
    encoding: Literal["gsm7", "ucs2"] = "gsm7" if gsm else "ucs2"
    if sum(sizes) <= single:
        return Parts(encoding, sum(sizes), 1, single)
    parts, room = 1, per_part
    for size in sizes:
        if size > room:
            parts, room = parts + 1, per_part
        room -= size
    return Parts(encoding, sum(sizes), parts, per_part)
