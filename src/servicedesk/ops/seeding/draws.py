"""Reproducible draws: seeded random streams, word lists, weighted picks, keyed-hash bits."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
SEED_USER = "seed"  # who seeded rows are created by


def seeded(label: str) -> random.Random:
    """Reproducible fake data, not cryptography: the same label gives the same stream."""
    return random.Random(label)  # noqa: S311


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """One of `items`: a plain index is the fastest draw."""
    return items[int(rng.random() * len(items))]


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def weighted(spec: str) -> tuple[str, ...]:
    """ "a:3 b:1" → ("a", "a", "a", "b"): picking by a plain index is the fastest draw."""
    return tuple(
        word
        for item in spec.split()
        for word in [item.rpartition(":")[0]] * int(item.rpartition(":")[2])
    )


class Draw:
    """Consumes the bits of one keyed hash: `below(n)` is uniform enough for n ≪ 2**128."""

    __slots__ = ("bits",)

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def below(self, n: int) -> int:
        self.bits, value = divmod(self.bits, n)
        return value

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]
