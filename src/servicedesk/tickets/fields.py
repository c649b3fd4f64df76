"""Field types and bases shared by the tickets domains' schemas: text that PostgreSQL can store,
references, ticket keys."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
)

from servicedesk.kernel.i18n import _t
from servicedesk.kernel.validation import DisplayName

INCIDENT_PREFIX, PROBLEM_PREFIX = "INC", "PRB"
# A single line, for query parameters: no control characters at all.
ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
_CONTROLS = frozenset(chr(c) for c in [*range(0x20), 0x7F])
_LINE_BREAKS = frozenset("\t\n\r")


def _storable(value: str, allowed: frozenset[str]) -> str:
    """PostgreSQL stores neither NUL nor lone surrogates (JSON may carry "\\ud800"); other
    control characters are refused too, but for the `allowed` ones."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError(_t("must be valid Unicode text (no lone surrogates)"))
    if not (_CONTROLS - allowed).isdisjoint(value):
        if allowed:
            raise ValueError(
                _t("must not contain control characters other than tab and line breaks")
            )
        raise ValueError(_t("must not contain control characters"))
    return value


def _one_line(value: str) -> str:
    return _storable(value, frozenset())


def _multiline(value: str) -> str:
    return _storable(value, _LINE_BREAKS)


OneLine = AfterValidator(_one_line)
Multiline = AfterValidator(_multiline)
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), Multiline
]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), OneLine
]
DirectoryId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
]
Category = Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine]
ContactName = Annotated[DisplayName, OneLine]


def key_number(prefix: str, reference: str) -> int | None:
    """The number behind `INC-000123` (or the bare number): ASCII digits only, and few enough to
    fit a bigint; None for anything else."""
    found = re.fullmatch(rf"(?:{prefix}-)?0*([0-9]{{1,18}})", reference, re.IGNORECASE | re.ASCII)
    return int(found.group(1)) if found else None


def ticket_key(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Input(BaseModel):
    """A request body: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """An answer read from a model's attributes."""

    model_config = ConfigDict(from_attributes=True)


# Saved filters and boards: a name, a query of the query language, a group to share with.
ItemName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=ONE_LINE)
]
QueryText = Annotated[str, StringConstraints(max_length=2000)]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
