"""How many SMS a text costs, and cutting a long text to a budget of parts.

GSM 03.38: a text made only of the basic set (and the extension table, whose characters take an
escape septet plus their own, so 2) goes as GSM-7: 160 septets in one SMS, 153 per part once it
is split (the 6-byte UDH takes 7 septets). Any other character (Cyrillic, emoji…) switches the
whole text to UCS-2: 70 UTF-16 units in one SMS, 67 per part; a character outside the BMP (most
emoji) is a surrogate pair and takes 2 units. A part never ends halfway through an escape
sequence or a surrogate pair, so such a character moves whole to the next part.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7 = GSM7_BASIC | GSM7_EXTENSION
SINGLE = {"gsm7": 160, "ucs2": 70}
PER_PART = {"gsm7": 153, "ucs2": 67}
ZERO_WIDTH_JOINER = "\u200d"
VARIATION_SELECTORS = frozenset("\ufe0e\ufe0f")


@dataclass(frozen=True, slots=True)
class Segments:
    """`units`: septets (GSM-7) or UTF-16 units (UCS-2); `per_part`: the size of each part."""

    encoding: Encoding
    units: int
    parts: int
    per_part: int


def encoding(text: str) -> Encoding:
    """GSM-7 when every character is in the basic set or the extension table, else UCS-2."""
    return "gsm7" if all(char in GSM7 for char in text) else "ucs2"


def _weight(char: str, kind: Encoding) -> int:
    if kind == "gsm7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count_segments(text: str) -> Segments:
    """The encoding, the units the text takes, and how many SMS parts carry it."""
    kind = encoding(text)
    weights = [_weight(char, kind) for char in text]
    units = sum(weights)
    if units <= SINGLE[kind]:
        return Segments(kind, units, 1, SINGLE[kind])
    size = PER_PART[kind]
    parts, filled = 1, 0
    for weight in weights:  # a 2-unit character never straddles two parts
        if filled + weight > size:
            parts, filled = parts + 1, 0
        filled += weight
    return Segments(kind, units, parts, size)


def _joined_to_previous(text: str, index: int) -> bool:
    """Cutting before `text[index]` would tear a character from its accent or emoji sequence."""
    if index <= 0 or index >= len(text):
        return False
    char = text[index]
    return (
        unicodedata.combining(char) != 0
        or char in VARIATION_SELECTORS
        or char == ZERO_WIDTH_JOINER
        or text[index - 1] == ZERO_WIDTH_JOINER
    )


def fit(text: str, max_parts: int, suffix: str = "") -> str:
    """`text` as is when it fits in `max_parts`; else its longest head that fits with `suffix`.

    The cut falls between whole characters (never inside a surrogate pair, an escape sequence,
    or a character and its combining marks), trailing spaces are dropped, and the suffix (say
    " … https://desk.example/i/INC-000123") is counted in the encoding of the result.
    """
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    if count_segments(text).parts <= max_parts:
        return text
    if count_segments(suffix).parts > max_parts:
        raise ValueError(f"the suffix alone takes more than {max_parts} parts")
    low, high = 0, len(text)  # the longest head that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if count_segments(text[:middle].rstrip() + suffix).parts <= max_parts:
            low = middle
        else:
            high = middle
    while _joined_to_previous(text, low):
        low -= 1
    return text[:low].rstrip() + suffix
