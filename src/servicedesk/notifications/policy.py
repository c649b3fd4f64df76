"""The policy file (config/policy.yaml): role defaults of the matrix and the escalation policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from servicedesk.notifications.catalogue import LOCKED, ROLES, Channel, Kind, Matrix, Scope

E = TypeVar("E", Kind, Scope, Channel)


class PolicyError(ValueError):
    """The policy file is not valid; the service refuses to start."""


def with_locked(matrix: Matrix) -> Matrix:
    """The matrix with the cells that cannot be turned off, on for every scope."""
    result: Matrix = {kind: dict(scopes) for kind, scopes in matrix.items()}
    for kind, channels in LOCKED.items():
        cells = result.setdefault(kind, {})
        for scope in Scope:
            cells[scope] = cells.get(scope, frozenset()) | channels
    return result


def parse_matrix(raw: Any, where: str) -> Matrix:
    """A matrix written as {kind: {scope: [channel, ...]}}; PolicyError naming the bad name."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: a mapping of kinds is expected")
    matrix: Matrix = {}
    for kind_name, scopes in raw.items():
        kind = _member(Kind, kind_name, f"{where}: kind")
        if not isinstance(scopes, dict):
            raise PolicyError(f"{where}.{kind_name}: a mapping of scopes is expected")
        cells: dict[Scope, frozenset[Channel]] = {}
        for scope_name, channels in scopes.items():
            scope = _member(Scope, scope_name, f"{where}.{kind_name}: scope")
            if not isinstance(channels, list):
                raise PolicyError(f"{where}.{kind_name}.{scope_name}: a list is expected")
            cells[scope] = frozenset(
                _member(Channel, c, f"{where}.{kind_name}.{scope_name}: channel") for c in channels
            )
        matrix[kind] = cells
    return matrix


def _member(enum: type[E], name: object, where: str) -> E:
    try:
        return enum(str(name))
    except ValueError:
        raise PolicyError(f"{where} {name!r} is unknown") from None


@dataclass(frozen=True, slots=True)
class Escalation:
    supervisors: dict[str, tuple[str, ...]]  # group path (or "default") -> usernames/role:x
    channels: dict[str, frozenset[Channel]]  # priority -> channels
    note_on_incident: bool

    def supervisors_for(self, group_path: str | None) -> tuple[str, ...]:
        if group_path and group_path.lstrip("/") in self.supervisors:
            return self.supervisors[group_path.lstrip("/")]
        return self.supervisors.get("default", ())

    def channels_for(self, priority: str) -> frozenset[Channel]:
        return self.channels.get(priority, frozenset({Channel.IN_APP}))


@dataclass(frozen=True, slots=True)
class Policy:
    defaults: dict[str, Matrix]
    escalation: Escalation

    def defaults_for(self, role: str) -> Matrix:
        return with_locked(self.defaults.get(role, {}))


def load_policy(path: Path) -> Policy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{path.name}: a mapping is expected")
    defaults_raw = raw.get("defaults") or {}
    defaults: dict[str, Matrix] = {}
    for role, matrix in defaults_raw.items():
        if role not in ROLES:
            raise PolicyError(f"defaults: role {role!r} is unknown (one of {', '.join(ROLES)})")
        defaults[role] = parse_matrix(matrix or {}, f"defaults.{role}")
    return Policy(defaults, _escalation(raw.get("escalation") or {}))


def _escalation(raw: dict[str, Any]) -> Escalation:
    supervisors = {
        str(group).lstrip("/"): tuple(str(s) for s in names)
        for group, names in (raw.get("supervisors") or {}).items()
    }
    channels = {
        str(priority): frozenset(_member(Channel, c, f"escalation.channels.{priority}") for c in cs)
        for priority, cs in (raw.get("channels") or {}).items()
    }
    return Escalation(supervisors, channels, bool(raw.get("note_on_incident", True)))
