"""A ticket workflow as data: states and transitions per ticket type (read by `loading`).

Checks of a requested transition raise plain exceptions (no HTTP here): UnknownTransition,
TransitionNotFromHere, TransitionForbidden and MissingFields, each with a readable `.reason`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Realm roles are composite (supervisor and admin include agent): "agent" admits them too.
KNOWN_ROLES = frozenset({"agent", "supervisor", "admin", "reporter", "service"})
KNOWN_FIELDS: Mapping[str, frozenset[str]] = {
    "incident": frozenset({"resolution", "comment", "reason", "assignee"}),
    "problem": frozenset({"resolution", "reason", "comment"}),
}
# sla.stop ends the resolution clock and also ends a pause in progress; assign.taker assigns
# the person making the transition when nobody is assigned ("take").
KNOWN_ACTIONS: Mapping[str, frozenset[str]] = {
    "incident": frozenset(
        {"sla.respond", "sla.pause", "sla.resume", "sla.stop", "sla.restart", "assign.taker"}
    ),
    "problem": frozenset({"problem.close_incidents"}),
}
TICKET_TYPES = frozenset(KNOWN_FIELDS)


class StateKind(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Label:
    en: str
    ru: str


@dataclass(frozen=True, slots=True)
class State:
    id: str
    label: Label
    kind: StateKind
    on_enter: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transition:
    id: str
    label: Label
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    requires: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


class TransitionError(Exception):
    """A requested transition cannot be made; `reason` says why, in words for the caller."""

    def __init__(self, transition_id: str, reason: str) -> None:
        super().__init__(reason)
        self.transition_id = transition_id
        self.reason = reason


class UnknownTransition(TransitionError):
    def __init__(self, transition_id: str, ticket_type: str, known: Iterable[str]) -> None:
        self.ticket_type = ticket_type
        self.known = tuple(known)
        listing = ", ".join(self.known)
        reason = f'{ticket_type} has no transition "{transition_id}" (known: {listing})'
        super().__init__(transition_id, reason)


class TransitionNotFromHere(TransitionError):
    def __init__(self, transition: Transition, status: str, allowed_from: Iterable[str]) -> None:
        self.status = status
        self.allowed_from = tuple(allowed_from)
        super().__init__(
            transition.id,
            f'"{transition.id}" cannot be made from status "{status}"; '
            f"it is allowed from: {', '.join(self.allowed_from)}",
        )


class TransitionForbidden(TransitionError):
    def __init__(self, transition: Transition) -> None:
        self.allowed_roles = tuple(sorted(transition.roles))
        roles = ", ".join(self.allowed_roles)
        super().__init__(transition.id, f'"{transition.id}" requires one of the roles: {roles}')


class MissingFields(TransitionError):
    def __init__(self, transition: Transition, missing: Iterable[str]) -> None:
        self.missing = tuple(missing)
        names = ", ".join(self.missing)
        super().__init__(transition.id, f'"{transition.id}" requires non-empty: {names}')


@dataclass(frozen=True)
class Workflow:
    ticket_type: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]

    def state(self, state_id: str) -> State:
        return self.states[state_id]

    def closed_state(self) -> State:
        return next(s for s in self.states.values() if s.kind is StateKind.CLOSED)

    def transitions_from(self, status: str) -> list[Transition]:
        return [t for t in self.transitions.values() if status in t.source]

    def allowed(self, status: str, roles: Iterable[str]) -> list[Transition]:
        held = frozenset(roles)
        return [t for t in self.transitions_from(status) if not t.roles.isdisjoint(held)]

    def check(
        self,
        transition_id: str,
        status: str,
        roles: Iterable[str],
        fields: Mapping[str, str | None],
    ) -> Transition:
        transition = self.transitions.get(transition_id)
        if transition is None:
            raise UnknownTransition(transition_id, self.ticket_type, self.transitions)
        if status not in transition.source:
            allowed_from = [s for s in self.states if s in transition.source]
            raise TransitionNotFromHere(transition, status, allowed_from)
        if transition.roles.isdisjoint(roles):
            raise TransitionForbidden(transition)
        missing = [f for f in transition.requires if not (fields.get(f) or "").strip()]
        if missing:
            raise MissingFields(transition, missing)
        return transition

    def actions_on(self, transition: Transition) -> tuple[str, ...]:
        """The transition's actions, then the target state's on_enter actions."""
        return transition.actions + self.states[transition.target].on_enter
