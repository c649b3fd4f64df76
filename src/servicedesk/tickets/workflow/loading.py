"""Reading workflows from YAML: one file per ticket type in config/workflows (incident.yaml,
problem.yaml). A definition is validated as a whole: every problem found is reported at once in
a WorkflowDefinitionError."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePath

import yaml

from servicedesk.tickets.workflow.definition import (
    KNOWN_ACTIONS,
    KNOWN_FIELDS,
    KNOWN_ROLES,
    TICKET_TYPES,
    Label,
    State,
    StateKind,
    Transition,
    Workflow,
)


class WorkflowDefinitionError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid workflow definition:\n  " + "\n  ".join(problems))
        self.problems = problems


_Keys = tuple[set[str], set[str]]  # required, optional
_TOP_KEYS = ({"ticket_type", "initial", "states", "transitions"}, set[str]())
_STATE_KEYS = ({"id", "label", "kind"}, {"on_enter"})
_TRANSITION_KEYS = ({"id", "label", "from", "to", "roles"}, {"requires", "actions"})
_LABEL_KEYS = ({"en", "ru"}, set[str]())
_ROLES = tuple(sorted(KNOWN_ROLES))


@dataclass
class _Problems:
    file: str
    items: list[str] = field(default_factory=list)

    def add(self, place: str, reason: str) -> None:
        self.items.append(f"{self.file}: {place}: {reason}")


def _sorted(names: Iterable[object]) -> str:
    return ", ".join(sorted(map(str, names)))


def _q(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _nonblank(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else ""


@dataclass
class _Node:
    """A mapping of the definition and its place: `states[2] ("new")` names `ident` "new"."""

    data: dict[str, object]
    place: str
    p: _Problems
    ident: str = ""

    @classmethod
    def of(cls, value: object, place: str, keys: _Keys, p: _Problems, ident: str = "") -> _Node:
        node = cls(
            {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}, place, p
        )
        node.ident = ident or _nonblank(node.data.get("id"))
        if not isinstance(value, dict):
            p.add(node.at(), f"expected a mapping, got {type(value).__name__}")
            return node
        required, optional = keys
        for key in sorted(required - node.data.keys()):
            p.add(node.at(), f'missing key "{key}"')
        for key in sorted(node.data.keys() - required - optional):
            p.add(node.at(), f'unknown key "{key}" (allowed: {_sorted(required | optional)})')
        if "id" in required:
            node.text("id")
        return node

    def at(self, key: str = "") -> str:
        place = f"{self.place}.{key}" if self.place and key else self.place or key or "(top level)"
        return f'{place} ("{self.ident}")' if self.ident else place

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if key in self.data and not _nonblank(value):
            self.p.add(self.at(key), f"expected a non-empty string, got {_q(value)}")
        return _nonblank(value) or None

    def names(self, key: str, known: Sequence[str] | None, what: str) -> tuple[str, ...] | None:
        """A list of strings, each checked against `known` (None: the registry is unknown)."""
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.p.add(self.at(key), f"expected a list of strings, got {_q(value)}")
            return None
        for name in value:
            if known is not None and name not in known:
                self.p.add(self.at(key), f'unknown {what} "{name}" (known: {", ".join(known)})')
        return tuple(value)

    def label(self) -> Label:
        if "label" not in self.data:
            return Label("", "")
        place = f"{self.place}.label"
        node = _Node.of(self.data["label"], place, _LABEL_KEYS, self.p, self.ident)
        return Label(node.text("en") or "", node.text("ru") or "")

    def unique(self, seen: Mapping[str, object], what: str) -> bool:
        if self.ident in seen:
            self.p.add(self.at(), f'duplicate {what} id "{self.ident}"')
        return bool(self.ident) and self.ident not in seen


def _entries(top: _Node, section: str, keys: _Keys) -> list[_Node]:
    value = top.data.get(section)
    if not isinstance(value, list) or not value:
        if section in top.data:
            top.p.add(section, f"expected a non-empty list, got {_q(value)}")
        return []
    return [_Node.of(entry, f"{section}[{i}]", keys, top.p) for i, entry in enumerate(value)]


def _kind(node: _Node) -> StateKind | None:
    value = node.data.get("kind")
    if isinstance(value, str) and value in list(StateKind):
        return StateKind(value)
    if "kind" in node.data:
        node.p.add(node.at("kind"), f"unknown kind {_q(value)} (known: {', '.join(StateKind)})")
    return None


def _registry(registry: Mapping[str, frozenset[str]], ttype: str | None) -> tuple[str, ...] | None:
    return tuple(sorted(registry[ttype])) if ttype is not None and ttype in registry else None


def _parse_states(top: _Node, ttype: str | None) -> tuple[dict[str, State], dict[str, str]]:
    """The valid states, and the place of every state id (also of states with problems)."""
    states: dict[str, State] = {}
    places: dict[str, str] = {}
    for node in _entries(top, "states", _STATE_KEYS):
        label, kind = node.label(), _kind(node)
        on_enter = node.names("on_enter", _registry(KNOWN_ACTIONS, ttype), "action")
        if node.unique(places, "state"):
            places[node.ident] = node.at()
            if kind is not None:
                states[node.ident] = State(node.ident, label, kind, on_enter or ())
    return states, places


def _parse_transitions(
    top: _Node, ttype: str | None, state_ids: Sequence[str]
) -> dict[str, Transition]:
    transitions: dict[str, Transition] = {}
    for node in _entries(top, "transitions", _TRANSITION_KEYS):
        label = node.label()
        source = node.names("from", state_ids, "state")
        target = node.text("to")
        if target is not None and target not in state_ids:
            node.p.add(node.at("to"), f'unknown state "{target}" (known: {", ".join(state_ids)})')
        roles = node.names("roles", _ROLES, "role")
        for key, value in (("from", source), ("roles", roles)):
            if key in node.data and value == ():
                node.p.add(node.at(key), "empty: this transition could never be made")
        requires = node.names("requires", _registry(KNOWN_FIELDS, ttype), "field")
        actions = node.names("actions", _registry(KNOWN_ACTIONS, ttype), "action")
        if node.unique(transitions, "transition"):
            transitions[node.ident] = Transition(
                node.ident,
                label,
                frozenset(source or ()),
                target or "",
                frozenset(roles or ()),
                requires or (),
                actions or (),
            )
    return transitions


def _ticket_type(top: _Node, expected: str) -> str | None:
    ttype = top.text("ticket_type")
    if ttype is not None and ttype not in TICKET_TYPES:
        top.p.add("ticket_type", f'unknown ticket type "{ttype}" (known: {_sorted(TICKET_TYPES)})')
        return None
    if ttype is not None and ttype != expected:
        top.p.add("ticket_type", f'"{ttype}" does not match the file name (expected "{expected}")')
    return ttype


def _check_graph(wf: Workflow, places: Mapping[str, str], p: _Problems) -> None:
    """Reachability (once every target is known), dead ends and the closed state."""
    if wf.initial not in places:
        p.add("initial", f'unknown state "{wf.initial}" (known: {", ".join(places)})')
    elif all(t.target in places for t in wf.transitions.values()):
        reached, frontier = {wf.initial}, [wf.initial]
        while frontier:
            targets = {t.target for t in wf.transitions_from(frontier.pop())}
            frontier.extend(targets - reached)
            reached |= targets
        for s in [s for s in wf.states if s not in reached]:
            p.add(places[s], f'unreachable from the initial state "{wf.initial}"')
    for state in wf.states.values():
        if state.kind is not StateKind.CLOSED and not wf.transitions_from(state.id):
            p.add(places[state.id], f"dead end: no transition leaves this {state.kind} state")
    closed = [s.id for s in wf.states.values() if s.kind is StateKind.CLOSED]
    if len(closed) > 1 or (not closed and len(wf.states) == len(places)):
        found = f"found {len(closed)}" + (f" ({', '.join(closed)})" if closed else "")
        p.add("states", f"expected exactly one state of kind closed, {found}")


def _parse(data: object, expected_type: str, p: _Problems) -> Workflow | None:
    top = _Node.of(data, "", _TOP_KEYS, p)
    if not isinstance(data, dict):
        return None
    ttype = _ticket_type(top, expected_type)
    initial = top.text("initial")
    states, places = _parse_states(top, ttype)
    transitions = _parse_transitions(top, ttype, list(places))
    workflow = Workflow(ttype or expected_type, initial or "", states, transitions)
    if initial is not None and places:
        _check_graph(workflow, places, p)
    return workflow


def _yaml_place(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(top level)"


def _read(path: Path | Traversable, p: _Problems) -> Workflow | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or str(exc)
        p.add(_yaml_place(exc), f"invalid YAML: {reason}")
        return None
    return _parse(data, PurePath(path.name).stem, p)


def load_workflow(path: Path | Traversable) -> Workflow:
    """Read and validate one definition; raises WorkflowDefinitionError listing every problem."""
    p = _Problems(path.name)
    workflow = _read(path, p)
    if p.items or workflow is None:
        raise WorkflowDefinitionError(p.items)
    return workflow


def default_directory() -> Traversable:
    return files("servicedesk.tickets") / "config" / "workflows"


def load_workflows(directory: Path | Traversable | None = None) -> dict[str, Workflow]:
    """Every *.yaml workflow in the directory (default: the packaged ones), by ticket type."""
    directory = default_directory() if directory is None else directory
    paths = sorted(
        (f for f in directory.iterdir() if f.name.endswith((".yaml", ".yml"))),
        key=lambda f: f.name,
    )
    problems: list[str] = []
    workflows: dict[str, Workflow] = {}
    for path in paths:
        p = _Problems(path.name)
        workflow = _read(path, p)
        if workflow is not None and workflow.ticket_type in workflows:
            p.add("ticket_type", f'a second workflow for "{workflow.ticket_type}"')
        problems += p.items
        if workflow is not None and not p.items:
            workflows[workflow.ticket_type] = workflow
    for ttype in sorted(TICKET_TYPES - {PurePath(f.name).stem for f in paths}):
        problems.append(f"{directory.name}: missing {ttype}.yaml: every ticket type needs one")
    if problems:
        raise WorkflowDefinitionError(problems)
    return workflows
