"""Text of fake support requests, Russian and English: titles, descriptions, resolutions.

A topic (printer, VPN, 1C, an order not delivered…) has title and first-sentence templates;
`{slot}`s are filled from word pools, the same pick for the whole incident, and the
description gets a greeting, how long it has been, what was tried and a signature, each only
sometimes. The words every request uses («не», «please») are stop words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from servicedesk.ops.seeding.draws import pick
from servicedesk.ops.seeding.incident_phrases import PHRASES, POOLS
from servicedesk.ops.seeding.incident_topics import TOPICS_EN, TOPICS_RU

CATEGORIES = ("access", "hardware", "software", "network", "billing", "other")


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    category: str
    request: bool  # asks for something, rather than reports a fault
    entries: tuple[tuple[str, tuple[str, ...]], ...]  # (title, first sentences it may open)


def _topic(block: str) -> tuple[Topic, int]:
    head, *lines = block.rstrip().splitlines()
    name, category, weight, kind = head.split()
    entries: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("  "):
            entries[-1][1].append(line.strip())
        else:
            entries.append((line, []))
    if category not in CATEGORIES or kind not in ("fault", "request"):
        raise ValueError(f"topic {name}: bad category or kind")
    if not entries or not all(details for _, details in entries):
        raise ValueError(f"topic {name}: every title needs a sentence under it")
    found = tuple((title, tuple(details)) for title, details in entries)
    return Topic(name, category, kind == "request", found), int(weight)


def parse_topics(text: str) -> tuple[tuple[Topic, ...], tuple[int, ...]]:
    """The topics of a block of text and their weights."""
    parsed = [_topic(block) for block in text.split("\n@")[1:]]
    return tuple(t for t, _ in parsed), tuple(w for _, w in parsed)


class _Slots(dict[str, str]):
    """Fills `{slot}`s from the pools, the same pick each time within one text."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "order":
            value = f"ORD-{int(rng.random() * 3_000_000) + 1:07d}"
        elif key == "amount":
            value = f"{int(rng.random() * 400_000) // 10 * 10 + 500:,}".replace(",", " ")
        else:
            value = pick(rng, POOLS[key])
        self[key] = value
        return value


class Language:
    """Topics and phrases of one language; `topic()` draws one by weight."""

    def __init__(self, code: str, topics_text: str) -> None:
        self.code = code
        self.topics, weights = parse_topics(topics_text)
        self._draws = tuple(i for i, w in enumerate(weights) for _ in range(w))
        self.phrases = PHRASES[code]

    def topic(self, rng: random.Random) -> Topic:
        return self.topics[pick(rng, self._draws)]


RUSSIAN = Language("ru", TOPICS_RU)
ENGLISH = Language("en", TOPICS_EN)
_EXTENSIONS = tuple(str(n) for n in range(100, 1000, 7))


def _body(
    rng: random.Random, phrases: dict[str, tuple[str, ...]], request: bool, first: str, short: bool
) -> str:
    """The first sentence, then how long it has been and what was tried, each only sometimes."""
    body = [first]
    if not request:
        if rng.random() < 0.5:
            body.append(pick(rng, phrases["since"]))
        if not short and rng.random() < 0.45:
            body.append(pick(rng, phrases["tried"]))
    if rng.random() < 0.35:
        body.append(pick(rng, phrases["request_urgency" if request else "fault_urgency"]))
    return " ".join(body)


def incident_text(
    rng: random.Random, language: Language, topic: Topic, reporter: str, short: bool
) -> tuple[str, str]:
    """(title, description) of one request; `short` for SMS and chats: no courtesies."""
    phrases = language.phrases
    slots = _Slots(rng)
    title, details = pick(rng, topic.entries)
    text = _body(rng, phrases, topic.request, pick(rng, details).format_map(slots), short)
    if short:
        return title.format_map(slots), text
    roll = rng.random()
    if roll < 0.45:
        text = f"{pick(rng, phrases['greeting'])}\n{text}"
    if roll < 0.65:
        text += "\n\n" + pick(rng, phrases["sign"]).format(reporter, pick(rng, _EXTENSIONS))
    return title.format_map(slots), text


def resolution(rng: random.Random, language: Language) -> str:
    return pick(rng, language.phrases["resolution"])
