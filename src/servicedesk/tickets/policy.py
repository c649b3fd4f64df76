"""Ticket policy read from YAML: categories, the impact × urgency matrix, SLA targets per
priority and the problem correlation rules. A bad file stops the service with every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    correlation: tuple[CorrelationRule, ...] = ()

    def priority_of(self, impact: str, urgency: str) -> str:
        return self.priority_matrix[impact][urgency]

    def rank_of(self, priority: str) -> int:
        """1 is the most pressing."""
        return self.priorities.index(priority) + 1


@dataclass(frozen=True)
class _Check:
    policy: TicketPolicy

    def problems(self) -> list[str]:
        found = []
        p = self.policy
        for impact in LEVELS:
            row = p.priority_matrix.get(impact)
            if row is None:
                found.append(f"priority_matrix: impact {impact!r} is missing")
                continue
            for urgency in LEVELS:
                priority = row.get(urgency)
                if priority not in p.priorities:
                    found.append(
                        f"priority_matrix.{impact}.{urgency}: {priority!r} is not one of "
                        f"the priorities {list(p.priorities)}"
                    )
        found += [f"sla: no targets for priority {q!r}" for q in p.priorities if q not in p.sla]
        found += [f"sla.{q}: {q!r} is not a priority" for q in p.sla if q not in p.priorities]
        names = [rule.name for rule in p.correlation]
        found += [f"correlation: rule {n!r} named twice" for n in set(names) if names.count(n) > 1]
        return found


def load_policy(path: Path | Traversable | None = None) -> TicketPolicy:
    source = path or files("servicedesk.tickets") / "config" / "policy.yaml"
    name = getattr(source, "name", str(source))
    try:
        raw: Any = yaml.safe_load(source.read_text(encoding="utf-8"))
        policy = TicketPolicy.model_validate(raw)
    except yaml.YAMLError as exc:
        raise PolicyDefinitionError(name, [f"not valid YAML: {exc}"]) from None
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
        raise PolicyDefinitionError(name, problems) from None
    problems = _Check(policy).problems()
    if problems:
        raise PolicyDefinitionError(name, problems)
    return policy
