"""Russian taxpayer numbers (INN) with valid check digits."""

from __future__ import annotations

import random
from collections.abc import Sequence

from servicedesk.ops.seeding.draws import weighted, words

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_REGIONS = weighted("77:8 78:4 50:4") + words("66 54 16 52 63 23 61 02 74 24 59 36 34")


def _check_digit(digits: Sequence[int], weights: Sequence[int]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_checksum_valid(value: str) -> bool:
    """A Russian INN: 10 digits (organisation) or 12 (individual) with valid check digits."""
    if not value.isascii() or not value.isdigit() or len(value) not in (10, 12):
        return False
    d = [int(c) for c in value]
    if len(d) == 10:
        return d[9] == _check_digit(d, _INN10)
    return d[10] == _check_digit(d, _INN11) and d[11] == _check_digit(d, _INN12)


def make_inn(rng: random.Random, individual: bool) -> str:
    """A valid INN: region and tax office, a serial, then the check digit(s)."""
    serial = f"{rng.randrange(10**6):06d}" if individual else f"{rng.randrange(10**5):05d}"
    digits = [int(c) for c in rng.choice(_INN_REGIONS) + f"{rng.randint(1, 51):02d}" + serial]
    if individual:
        digits.append(_check_digit(digits, _INN11))
        digits.append(_check_digit(digits, _INN12))
    else:
        digits.append(_check_digit(digits, _INN10))
    return "".join(map(str, digits))
