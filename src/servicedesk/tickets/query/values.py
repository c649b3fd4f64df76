"""Which values a field takes, in their canonical form: a state's label becomes its id, a key
becomes INC-000123, a number or a date written for a text field becomes that text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.query.fields import KEY_PREFIX, FieldSpec, Kind
from servicedesk.tickets.query.model import (
    DateValue,
    Entity,
    Function,
    Number,
    Operator,
    RelativeDate,
    Scalar,
    Text,
)
from servicedesk.tickets.query.vocabulary import Vocabulary

_KEY = re.compile(r"(?:([a-z]+)-?)?0*([0-9]{1,18})", re.IGNORECASE | re.ASCII)
_FUNCTIONS_OF = {Kind.USER: "me", Kind.TIME: "now"}
_TIME_HINT = _t(
    "write a date like 2026-01-31 or 2026-01-31T10:00, a relative one like -7d, or now()"
)
_TEXTUAL = frozenset({Kind.TEXT, Kind.USER, Kind.GROUP, Kind.REF, Kind.FULLTEXT})


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


class ValueProblem(Exception):
    """A value the field does not take; the reader adds where it is."""

    def __init__(
        self, problem: str, suggestions: Sequence[str] = (), hint: str | None = None
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.suggestions = list(suggestions)
        self.hint = hint


def key_number(text: str, prefix: str) -> int | None:
    """123 for `INC-000123`, `inc123`, `123` (with the INC prefix); None if not such a key."""
    found = _KEY.fullmatch(text.strip())
    if found is None or (found.group(1) and found.group(1).upper() != prefix):
        return None
    return int(found.group(2))


def canonical(
    spec: FieldSpec,
    op: Operator,
    value: Scalar,
    raw: str,
    entity: Entity,
    vocabulary: Vocabulary,
) -> Scalar:
    """The value as the field takes it, or a ValueProblem. `raw` is how it was written."""
    kind = spec.kind
    if isinstance(value, Function):
        if _FUNCTIONS_OF.get(kind) != value.name:
            raise ValueProblem(
                _t("{function}() does not apply to {field}", function=value.name, field=spec.name)
            )
        if op == "~":
            raise ValueProblem(
                _t('{function}() goes with "=" or "in", not "~"', function=value.name)
            )
        return value
    if kind in (Kind.KEY, Kind.PROBLEM):
        prefix = KEY_PREFIX[entity] if kind is Kind.KEY else KEY_PREFIX["problem"]
        if isinstance(value, Number):
            return value
        number = key_number(raw, prefix) if isinstance(value, Text) else None
        if number is None:
            hint = _t("write {prefix}-000123", prefix=prefix)
            raise ValueProblem(_t('"{raw}" is not a key', raw=raw), hint=hint)
        return Text(value=f"{prefix}-{number:06d}")
    if kind in _TEXTUAL:
        text = value.value if isinstance(value, Text) else raw
        if kind is Kind.FULLTEXT and not any(char.isalnum() for char in text):
            hint = _t("give a word or a quoted phrase")
            raise ValueProblem(_t("nothing to search for"), hint=hint)
        return Text(value=text)
    if kind in (Kind.ENUM, Kind.RANKED):
        assert spec.vocabulary is not None
        found = vocabulary.resolve(spec.vocabulary, raw)
        if found is None:
            known = ", ".join(c.id for c in vocabulary.choices(spec.vocabulary))
            suggestions = vocabulary.suggest(spec.vocabulary, raw)
            problem = _t('unknown {field} "{raw}"', field=spec.name, raw=raw)
            raise ValueProblem(problem, suggestions, _t("known: {known}", known=known))
        return Text(value=found)
    if kind is Kind.TIME:
        if isinstance(value, DateValue | RelativeDate):
            return value
        raise ValueProblem(_t('"{raw}" is not a date', raw=raw), hint=_TIME_HINT)
    # Kind.BOOL
    if raw.casefold() in ("true", "false"):
        return Text(value=raw.casefold())
    raise ValueProblem(_t('"{raw}" is neither true nor false', raw=raw), ["true", "false"])
