"""The fields of each entity: their kind, the operators they take, whether one may order or
group by them. The parser, the completion and the compiler read this one table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.query.model import Entity, Operator


class Kind(StrEnum):
    KEY = "key"  # INC-000123 / PRB-000123 or the number
    TEXT = "text"  # a title
    ENUM = "enum"  # one of the vocabulary's values: status, category, channel
    RANKED = "ranked"  # an enum with an order: priority, impact, urgency
    USER = "user"  # a username; me()
    GROUP = "group"  # a group name; my_groups()
    REF = "ref"  # a client or an order: its reference, `~` on its name or number
    PROBLEM = "problem"  # the incident's problem: PRB-000123 or the number
    TIME = "time"  # a timestamp: dates, relative dates, now()
    BOOL = "bool"  # true / false
    FULLTEXT = "fulltext"  # `~` only: words of the title and the description


_EQUALITY: tuple[Operator, ...] = ("=", "!=", "in", "not in")
_ORDERED: tuple[Operator, ...] = ("=", "!=", "<", "<=", ">", ">=")
_EMPTY: tuple[Operator, ...] = ("is", "is not")
OPERATORS_OF: dict[Kind, tuple[Operator, ...]] = {
    Kind.KEY: (*_ORDERED, "in", "not in"),
    Kind.TEXT: ("=", "!=", "~", "in", "not in"),
    Kind.ENUM: _EQUALITY,
    Kind.RANKED: (*_ORDERED, "in", "not in"),
    Kind.USER: ("=", "!=", "~", "in", "not in"),
    Kind.GROUP: ("=", "!=", "~", "in", "not in"),
    Kind.REF: ("=", "!=", "~", "in", "not in"),
    Kind.PROBLEM: _EQUALITY,
    Kind.TIME: _ORDERED,
    Kind.BOOL: ("=", "!="),
    Kind.FULLTEXT: ("~",),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    description: str
    nullable: bool = False
    orderable: bool = True
    groupable: bool = False
    vocabulary: str | None = None  # which list of the vocabulary holds its values

    @property
    def operators(self) -> tuple[Operator, ...]:
        return OPERATORS_OF[self.kind] + (_EMPTY if self.nullable else ())


def _f(name: str, kind: Kind, description: str, **options: object) -> FieldSpec:
    return FieldSpec(name, kind, description, **options)  # type: ignore[arg-type]


_COMMON = (
    _f("key", Kind.KEY, _t("the key, e.g. INC-000123")),
    _f("title", Kind.TEXT, _t("the title")),
    _f("status", Kind.ENUM, _t("the workflow state"), groupable=True, vocabulary="status"),
    _f("priority", Kind.RANKED, _t("the priority"), groupable=True, vocabulary="priority"),
    _f("category", Kind.ENUM, _t("the category"), groupable=True, vocabulary="category"),
    _f("assignee", Kind.USER, _t("the assignee's username"), nullable=True, groupable=True),
    _f("client", Kind.REF, _t("the client (~ matches its name)"), nullable=True, groupable=True),
    _f("order", Kind.REF, _t("the order (~ matches its number)"), nullable=True),
    _f("created", Kind.TIME, _t("when it was created")),
    _f("updated", Kind.TIME, _t("when it last changed")),
)
_INCIDENT_ONLY = (
    _f("impact", Kind.RANKED, _t("the impact"), groupable=True, vocabulary="level"),
    _f("urgency", Kind.RANKED, _t("the urgency"), groupable=True, vocabulary="level"),
    _f("group", Kind.GROUP, _t("the assigned group's name"), nullable=True, groupable=True),
    _f("reporter", Kind.USER, _t("the reporter's username"), nullable=True),
    _f("channel", Kind.ENUM, _t("the channel it came in by"), groupable=True, vocabulary="channel"),
    _f("resolved", Kind.TIME, _t("when it was resolved"), nullable=True),
    _f("sla_breached", Kind.BOOL, _t("whether an SLA target was missed"), orderable=False),
    _f("problem", Kind.PROBLEM, _t("its problem, e.g. PRB-000123"), nullable=True, orderable=False),
    _f("text", Kind.FULLTEXT, _t("words of the title, description, comments"), orderable=False),
)
_PROBLEM_ONLY = (
    _f("closed", Kind.TIME, _t("when it was closed"), nullable=True),
    _f("text", Kind.FULLTEXT, _t("words of the title and the description"), orderable=False),
)

FIELDS: dict[Entity, dict[str, FieldSpec]] = {
    "incident": {f.name: f for f in (*_COMMON, *_INCIDENT_ONLY)},
    "problem": {f.name: f for f in (*_COMMON, *_PROBLEM_ONLY)},
}
KEY_PREFIX: dict[Entity, str] = {"incident": "INC", "problem": "PRB"}
PLURAL: dict[Entity, str] = {"incident": "incidents", "problem": "problems"}


def field_spec(entity: Entity, name: str) -> FieldSpec | None:
    return FIELDS[entity].get(name.casefold())


def orderable(entity: Entity) -> list[str]:
    return [f.name for f in FIELDS[entity].values() if f.orderable]


def groupable(entity: Entity) -> list[str]:
    return [f.name for f in FIELDS[entity].values() if f.groupable]
