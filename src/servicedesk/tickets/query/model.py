"""The query as data: what the text parses to, what the filter builder posts as JSON, what the
compiler reads. Every node is a frozen pydantic model tagged by `kind`.

These models check structure only (an operator fits its value, lists are not empty); whether a
field exists for the entity and a value is one of its values is checked against a vocabulary by
`check_query` / `parse_query`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servicedesk.kernel.i18n import _t

Entity = Literal["incident", "problem"]
Operator = Literal["=", "!=", "<", "<=", ">", ">=", "~", "in", "not in", "is", "is not"]
Direction = Literal["asc", "desc"]
FunctionName = Literal["me", "my_groups", "now"]
TimeUnit = Literal["m", "h", "d", "w"]

ENTITIES: tuple[Entity, ...] = ("incident", "problem")
OPERATORS: tuple[Operator, ...] = (
    "=", "!=", "<", "<=", ">", ">=", "~", "in", "not in", "is", "is not",
)  # fmt: skip
FUNCTIONS: tuple[FunctionName, ...] = ("me", "my_groups", "now")
LIST_OPERATORS = frozenset({"in", "not in"})
EMPTY_OPERATORS = frozenset({"is", "is not"})
MAX_TEXT = 500
MAX_LIST = 100
MAX_NUMBER = 10**18 - 1
MAX_AMOUNT = 99_999
MIN_YEAR, MAX_YEAR = 1900, 2999
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _printable(value: str) -> str:
    if _CONTROLS.search(value):
        raise ValueError(_t("control characters are not allowed"))
    return value


class Text(_Node):
    """A word or a quoted string: a state id, a username, a key, a part of a title..."""

    kind: Literal["text"] = "text"
    value: str = Field(max_length=MAX_TEXT)

    _check = field_validator("value")(_printable)


class Number(_Node):
    kind: Literal["number"] = "number"
    value: int = Field(ge=0, le=MAX_NUMBER, strict=True)


class DateValue(_Node):
    """A calendar day (`2026-01-31`) or a minute or second of it (`2026-01-31T10:00`), in the
    time zone of the query context."""

    kind: Literal["date"] = "date"
    date: dt.date
    time: dt.time | None = None

    @field_validator("date")
    @classmethod
    def _year(cls, value: dt.date) -> dt.date:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(
                _t(
                    "the year must be between {min_year} and {max_year}",
                    min_year=MIN_YEAR,
                    max_year=MAX_YEAR,
                )
            )
        return value

    @field_validator("time")
    @classmethod
    def _plain(cls, value: dt.time | None) -> dt.time | None:
        if value is not None and (value.tzinfo is not None or value.microsecond):
            raise ValueError(_t("a time has hours, minutes and seconds only, without a zone"))
        return value


class RelativeDate(_Node):
    """`-7d`: `amount` units from the context's now (m minutes, h hours, d days, w weeks)."""

    kind: Literal["relative"] = "relative"
    amount: int = Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, strict=True)
    unit: TimeUnit


class Function(_Node):
    """me() the user's name, my_groups() the user's groups, now() the context's time."""

    kind: Literal["function"] = "function"
    name: FunctionName


Scalar = Annotated[Text | Number | DateValue | RelativeDate | Function, Field(discriminator="kind")]


class ListValue(_Node):
    kind: Literal["list"] = "list"
    items: tuple[Scalar, ...] = Field(min_length=1, max_length=MAX_LIST)


class Empty(_Node):
    """The value of `is empty` / `is not empty`."""

    kind: Literal["empty"] = "empty"


Value = Annotated[
    Text | Number | DateValue | RelativeDate | Function | ListValue | Empty,
    Field(discriminator="kind"),
]


class Comparison(_Node):
    kind: Literal["comparison"] = "comparison"
    field: str = Field(min_length=1, max_length=64)
    op: Operator
    value: Value

    _check = field_validator("field")(_printable)

    @model_validator(mode="after")
    def _fits(self) -> Comparison:
        if (self.op in EMPTY_OPERATORS) != isinstance(self.value, Empty):
            raise ValueError(_t("`is` and `is not` go with the empty value, and only they do"))
        if self.op in LIST_OPERATORS and not isinstance(self.value, ListValue | Function):
            raise ValueError(_t("`{op}` takes a list or a function", op=self.op))
        if self.op not in LIST_OPERATORS and isinstance(self.value, ListValue):
            raise ValueError(_t("only `in` and `not in` take a list"))
        return self


class And(_Node):
    kind: Literal["and"] = "and"
    items: tuple[Condition, ...] = Field(min_length=2)


class Or(_Node):
    kind: Literal["or"] = "or"
    items: tuple[Condition, ...] = Field(min_length=2)


class Not(_Node):
    kind: Literal["not"] = "not"
    item: Condition


Condition = Annotated[And | Or | Not | Comparison, Field(discriminator="kind")]


class OrderItem(_Node):
    field: str = Field(min_length=1, max_length=64)
    direction: Direction = "asc"

    _check = field_validator("field")(_printable)


class Query(_Node):
    """`where` None matches everything; `order_by` empty means the default order (newest
    first); `group_by` names the field counted by `compile_grouped`."""

    entity: Entity
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = Field(default=(), max_length=20)
    group_by: str | None = Field(default=None, min_length=1, max_length=64)

    _check = field_validator("group_by")(lambda v: v if v is None else _printable(v))


for _model in (Comparison, And, Or, Not, Query):
    _model.model_rebuild()


def comparisons(condition: Condition | None) -> Iterator[Comparison]:
    """Every comparison of a condition, left to right (without recursion)."""
    stack: list[Condition] = [] if condition is None else [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            yield node
        elif isinstance(node, Not):
            stack.append(node.item)
        else:
            stack.extend(reversed(node.items))


def depth(condition: Condition | None) -> int:
    """Levels of and/or/not above the deepest comparison (0 for a lone comparison)."""
    deepest = 0
    stack: list[tuple[Condition, int]] = [] if condition is None else [(condition, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, Not):
            stack.append((node.item, level + 1))
        elif isinstance(node, And | Or):
            stack.extend((item, level + 1) for item in node.items)
        deepest = max(deepest, level)
    return deepest
