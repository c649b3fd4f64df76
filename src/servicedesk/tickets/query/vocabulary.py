"""The values enum fields take, from the ticket policy and the workflows, with their labels:
`"in progress"` and `"В работе"` both name the state `in_progress`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from servicedesk.tickets.incidents.schemas import Channel
from servicedesk.tickets.policy import LEVELS, TicketPolicy, load_policy
from servicedesk.tickets.query.model import Entity
from servicedesk.tickets.workflow import Workflow, load_workflows


def fold(value: str) -> str:
    """Case, ё/е, `_`/`-`/spaces: `In-progress`, `in_progress` and `in progress` are one."""
    value = value.casefold().replace("ё", "е").replace("_", " ").replace("-", " ")
    return " ".join(value.split())


@dataclass(frozen=True, slots=True)
class Choice:
    """A value (`id`, as stored) and the names people use for it (English, Russian)."""

    id: str
    labels: tuple[str, ...] = ()

    @property
    def label(self) -> str | None:
        return " / ".join(self.labels) if self.labels else None


@dataclass(frozen=True)
class Vocabulary:
    """Values of the enum fields of one entity. Priorities and levels go from the most to the
    least pressing (rank 1 first)."""

    statuses: tuple[Choice, ...]
    priorities: tuple[str, ...]
    categories: tuple[Choice, ...]
    channels: tuple[str, ...] = tuple(Channel)
    levels: tuple[str, ...] = LEVELS
    _index: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, dict[str, str]] = {}
        for name in ("status", "priority", "category", "channel", "level"):
            names: dict[str, str] = {}
            for choice in self.choices(name):
                for spelling in (choice.id, *choice.labels):
                    names.setdefault(fold(spelling), choice.id)
            index[name] = names
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_policy(
        cls,
        policy: TicketPolicy,
        workflows: Mapping[str, Workflow] | Workflow,
        entity: Entity,
        channels: Iterable[str] | None = None,
    ) -> Vocabulary:
        workflow = workflows if isinstance(workflows, Workflow) else workflows[entity]
        return cls(
            statuses=tuple(
                Choice(s.id, (s.label.en, s.label.ru)) for s in workflow.states.values()
            ),
            priorities=tuple(policy.priorities),
            categories=tuple(
                Choice(name, (label.en, label.ru)) for name, label in policy.categories.items()
            ),
            channels=tuple(Channel) if channels is None else tuple(channels),
        )

    @staticmethod
    @cache
    def default(entity: Entity) -> Vocabulary:
        """From the policy and workflows shipped in the package (tests, tools)."""
        return Vocabulary.from_policy(load_policy(), load_workflows(), entity)

    def choices(self, vocabulary: str) -> tuple[Choice, ...]:
        """`status`, `category`, `priority`, `channel` or `level` (impact, urgency)."""
        if vocabulary == "status":
            return self.statuses
        if vocabulary == "category":
            return self.categories
        plain = {"priority": self.priorities, "channel": self.channels, "level": self.levels}
        return tuple(Choice(v) for v in plain.get(vocabulary, ()))

    def resolve(self, vocabulary: str, spelling: str) -> str | None:
        """The id named by an id or a label, in any case; None if none is."""
        return self._index.get(vocabulary, {}).get(fold(spelling))

    def suggest(self, vocabulary: str, spelling: str) -> list[str]:
        """Ids whose id or label is spelled close to `spelling`, best first."""
        names = self._index.get(vocabulary, {})
        close = difflib.get_close_matches(fold(spelling), list(names), n=6, cutoff=0.6)
        return list(dict.fromkeys(names[name] for name in close))[:3]

    def rank(self, vocabulary: str, value: str) -> int | None:
        """1 for the most pressing priority or level."""
        ordered = self.priorities if vocabulary == "priority" else self.levels
        return ordered.index(value) + 1 if value in ordered else None
