"""Ticket policy read from YAML: categories, the impact × urgency matrix, SLA targets per
priority and when to warn that one is near, and the problem correlation rules. A bad file
stops the service with every problem."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib.abc import Traversable
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LEVELS = ("high", "medium", "low")
CORRELATION_FIELDS = ("order", "client", "category", "channel")
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class PolicyDefinitionError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.problems = problems


def parse_duration(value: object) -> timedelta:
    """`15m`, `4h`, `3d`, `30s`: the only forms policy files use."""
    found = _DURATION.match(str(value).strip())
    if found is None or int(found.group(1)) == 0:
        raise ValueError(f"{value!r} is not a duration like 30s, 15m, 4h or 3d")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    en: str = Field(min_length=1)
    ru: str = Field(min_length=1)


class SlaTarget(_Strict):
    response: timedelta
    resolution: timedelta

    @field_validator("response", "resolution", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)


class CorrelationRule(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")
    match: tuple[str, ...] = Field(min_length=1)
    within: timedelta

    @field_validator("within", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @field_validator("match")
    @classmethod
    def _known_fields(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in fields if f not in CORRELATION_FIELDS]
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {', '.join(CORRELATION_FIELDS)}")
        return fields


class TicketPolicy(_Strict):
    categories: dict[str, Label] = Field(min_length=1)
    priorities: tuple[str, ...] = Field(min_length=1)
    priority_matrix: dict[str, dict[str, str]]
    sla: dict[str, SlaTarget]
    # The share of a target's working time after which the watch warns that it is near.
    sla_warning_at: float = Field(0.8, gt=0, lt=1)
    correlation: tuple[CorrelationRule, ...] = ()

    def priority_of(self, impact: str, urgency: str) -> str:
        return self.priority_matrix[impact][urgency]

    def warning_after(self, target: timedelta) -> timedelta:
        """How much of the target's working time passes before the warning."""
        return target * self.sla_warning_at

    def rank_of(self, priority: str) -> int:
        """1 is the most pressing."""
        return self.priorities.index(priority) + 1


def _problems_between_fields(raw: object) -> list[str]:
    """Checks across fields, run on the raw data so that they are reported even when another
    part of the file is malformed (every problem is named at once)."""
    if not isinstance(raw, dict):
        return []
    listed = raw.get("priorities")
    priorities = [str(p) for p in listed] if isinstance(listed, list) else None
    found = []
    if priorities is not None:
        found += [
            f"priorities: {q!r} is listed twice"
            for q in sorted(set(priorities))
            if priorities.count(q) > 1
        ]
    matrix = raw.get("priority_matrix")
    if isinstance(matrix, dict):
        found += _matrix_problems(matrix, priorities)
    sla = raw.get("sla")
    if isinstance(sla, dict) and priorities is not None:
        found += [f"sla: no targets for priority {q!r}" for q in priorities if q not in sla]
        found += [f"sla.{q}: {q!r} is not a priority" for q in sla if q not in priorities]
    rules = raw.get("correlation")
    if isinstance(rules, list):
        names = [rule.get("name") for rule in rules if isinstance(rule, dict)]
        found += [
            f"correlation: rule {n!r} named twice"
            for n in sorted({n for n in names if isinstance(n, str)})
            if names.count(n) > 1
        ]
    return found


def _matrix_problems(matrix: dict[Any, Any], priorities: list[str] | None) -> list[str]:
    known = ", ".join(LEVELS)
    found = [
        f"priority_matrix.{impact}: {impact!r} is not an impact level (known: {known})"
        for impact in matrix
        if impact not in LEVELS
    ]
    for impact in LEVELS:
        row = matrix.get(impact)
        if not isinstance(row, dict):
            found.append(f"priority_matrix: impact {impact!r} is missing")
            continue
        found += [
            f"priority_matrix.{impact}.{urgency}: {urgency!r} is not an urgency level "
            f"(known: {known})"
            for urgency in row
            if urgency not in LEVELS
        ]
        for urgency in LEVELS:
            if urgency not in row:
                found.append(f"priority_matrix.{impact}: urgency {urgency!r} is missing")
            elif priorities is not None and row[urgency] not in priorities:
                found.append(
                    f"priority_matrix.{impact}.{urgency}: {row[urgency]!r} is not one of "
                    f"the priorities {priorities}"
                )
    return found


def load_policy(path: Path | Traversable | None = None) -> TicketPolicy:
    source = path or files("servicedesk.tickets") / "config" / "policy.yaml"
    name = getattr(source, "name", str(source))
    try:
        raw: Any = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyDefinitionError(name, [f"not valid YAML: {exc}"]) from None
    problems = []
    policy = None
    try:
        policy = TicketPolicy.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
    problems += _problems_between_fields(raw)
    if problems or policy is None:
        raise PolicyDefinitionError(name, problems)
    return policy
