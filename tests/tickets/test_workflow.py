"""Ticket workflows: the shipped definitions, transition checks and definition validation."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.tickets.workflow import (
    KNOWN_ROLES,
    Label,
    MissingFields,
    StateKind,
    TransitionError,
    TransitionForbidden,
    TransitionNotFromHere,
    UnknownTransition,
    Workflow,
    WorkflowDefinitionError,
    load_workflow,
    load_workflows,
)

WORKFLOWS = load_workflows()
INCIDENT = WORKFLOWS["incident"]
PROBLEM = WORKFLOWS["problem"]
CYRILLIC = re.compile(r"^[А-Яа-яЁё][А-Яа-яЁё ,.-]*$")


def ids(transitions: list[Any]) -> list[str]:
    return [t.id for t in transitions]


# ---- the shipped definitions ----------------------------------------------------------------


def test_defaults_load_with_the_documented_incident_states_and_transitions() -> None:
    assert set(WORKFLOWS) == {"incident", "problem"}
    assert INCIDENT.initial == "new"
    assert {s: INCIDENT.state(s).kind for s in INCIDENT.states} == {
        "new": StateKind.OPEN,
        "in_progress": StateKind.OPEN,
        "waiting_for_reporter": StateKind.WAITING,
        "resolved": StateKind.RESOLVED,
        "closed": StateKind.CLOSED,
    }
    assert list(INCIDENT.transitions) == [
        "start",
        "ask_reporter",
        "resume",
        "resolve",
        "close",
        "reopen",
    ]
    resolve = INCIDENT.transitions["resolve"]
    assert resolve.source == {"new", "in_progress", "waiting_for_reporter"}
    assert resolve.target == "resolved"
    assert resolve.requires == ("resolution",)
    assert INCIDENT.transitions["reopen"].source == {"resolved", "closed"}
    assert INCIDENT.transitions["reopen"].requires == ("reason",)
    assert INCIDENT.closed_state().id == "closed"
    assert INCIDENT.state("new").label == Label(en="New", ru="Новый")


def test_defaults_load_with_the_documented_problem_states_and_transitions() -> None:
    assert PROBLEM.initial == "open"
    assert list(PROBLEM.states) == ["open", "investigating", "known_error", "fixed", "closed"]
    assert list(PROBLEM.transitions) == [
        "investigate",
        "mark_known_error",
        "mark_fixed",
        "close",
        "reinvestigate",
    ]
    close = PROBLEM.transitions["close"]
    assert close.source == {"open", "investigating", "known_error", "fixed"}
    assert close.roles == {"supervisor"}
    assert close.requires == ("resolution",)
    assert PROBLEM.transitions["reinvestigate"].source == {"known_error", "fixed"}
    assert PROBLEM.closed_state().id == "closed"


@pytest.mark.parametrize("workflow", [INCIDENT, PROBLEM], ids=["incident", "problem"])
def test_every_label_has_english_and_real_russian(workflow: Workflow) -> None:
    labels = [s.label for s in workflow.states.values()]
    labels += [t.label for t in workflow.transitions.values()]
    for label in labels:
        assert label.en.strip()
        assert CYRILLIC.match(label.ru), label


def test_the_yaml_files_ship_in_the_package() -> None:
    packaged = files("servicedesk.tickets") / "config/workflows/incident.yaml"
    assert "ticket_type: incident" in packaged.read_text(encoding="utf-8")
    assert load_workflow(packaged) == INCIDENT


# ---- who may do what, from where ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", []),
        ("in_progress", []),
        ("waiting_for_reporter", ["resume"]),
        ("resolved", ["close", "reopen"]),
        ("closed", ["reopen"]),
    ],
)
def test_the_reporter_sees_only_what_is_granted_to_reporters(
    status: str, expected: list[str]
) -> None:
    assert ids(INCIDENT.allowed(status, {"reporter"})) == expected


def test_an_agent_may_start_or_resolve_a_new_incident() -> None:
    assert ids(INCIDENT.allowed("new", ["agent"])) == ["start", "resolve"]
    assert ids(INCIDENT.allowed("in_progress", ("agent",))) == ["ask_reporter", "resolve"]


def test_only_a_supervisor_closes_a_problem() -> None:
    assert ids(PROBLEM.allowed("known_error", {"agent"})) == ["mark_fixed", "reinvestigate"]
    assert ids(PROBLEM.allowed("known_error", {"supervisor"})) == ["close"]
    supervisor_token_roles = {"supervisor", "agent"}  # composite: supervisor includes agent
    assert "close" in ids(PROBLEM.allowed("open", supervisor_token_roles))


def test_nobody_without_a_role_may_do_anything() -> None:
    assert INCIDENT.allowed("new", []) == []
    assert INCIDENT.allowed("new", {"service", "stranger"}) == []


def test_transitions_from_an_unknown_status_are_none() -> None:
    assert INCIDENT.transitions_from("nowhere") == []


# ---- check() --------------------------------------------------------------------------------


def test_check_returns_the_transition_when_everything_is_in_order() -> None:
    fields = {"resolution": "rebooted the router"}
    assert INCIDENT.check("resolve", "in_progress", {"agent"}, fields).id == "resolve"
    assert INCIDENT.check("start", "new", {"agent"}, {}) is INCIDENT.transitions["start"]


def test_check_refuses_an_unknown_transition() -> None:
    with pytest.raises(UnknownTransition) as caught:
        INCIDENT.check("teleport", "new", {"agent"}, {})
    assert caught.value.transition_id == "teleport"
    assert "start" in caught.value.known
    assert str(caught.value) == caught.value.reason
    assert 'incident has no transition "teleport"' in caught.value.reason
    assert "known: start, ask_reporter, resume, resolve, close, reopen" in caught.value.reason


def test_check_refuses_a_transition_not_allowed_from_the_current_status() -> None:
    with pytest.raises(TransitionNotFromHere) as caught:
        INCIDENT.check("resolve", "closed", {"agent"}, {"resolution": "done"})
    error = caught.value
    assert error.status == "closed"
    assert error.allowed_from == ("new", "in_progress", "waiting_for_reporter")
    assert error.reason == (
        '"resolve" cannot be made from status "closed"; '
        "it is allowed from: new, in_progress, waiting_for_reporter"
    )


def test_check_refuses_a_caller_without_the_role() -> None:
    with pytest.raises(TransitionForbidden) as caught:
        PROBLEM.check("close", "fixed", {"agent"}, {"resolution": "patched"})
    assert caught.value.allowed_roles == ("supervisor",)
    assert caught.value.reason == '"close" requires one of the roles: supervisor'


@pytest.mark.parametrize("resolution", [None, "", "   "])
def test_check_refuses_missing_or_blank_fields(resolution: str | None) -> None:
    with pytest.raises(MissingFields) as caught:
        INCIDENT.check("resolve", "new", {"agent"}, {"resolution": resolution})
    assert caught.value.missing == ("resolution",)
    assert caught.value.reason == '"resolve" requires non-empty: resolution'


def test_check_tests_the_status_before_the_role_and_the_role_before_the_fields() -> None:
    with pytest.raises(TransitionNotFromHere):
        INCIDENT.check("reopen", "new", {"stranger"}, {})
    with pytest.raises(TransitionForbidden):
        INCIDENT.check("reopen", "closed", {"stranger"}, {})
    with pytest.raises(MissingFields):
        INCIDENT.check("reopen", "closed", {"reporter"}, {})


def test_all_refusals_share_a_base_class() -> None:
    for refusal in (UnknownTransition, TransitionNotFromHere, TransitionForbidden, MissingFields):
        assert issubclass(refusal, TransitionError)
        assert not issubclass(refusal, ValueError)


# ---- actions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow", "transition", "expected"),
    [
        (INCIDENT, "start", ("sla.respond", "assign.taker")),
        (INCIDENT, "ask_reporter", ("sla.pause",)),
        (INCIDENT, "resume", ("sla.resume",)),
        (INCIDENT, "resolve", ("sla.respond", "sla.stop")),
        (INCIDENT, "close", ()),
        (INCIDENT, "reopen", ("sla.restart",)),
        (PROBLEM, "close", ("problem.close_incidents",)),
    ],
)
def test_actions_on_a_transition_then_on_entering_its_target(
    workflow: Workflow, transition: str, expected: tuple[str, ...]
) -> None:
    assert workflow.actions_on(workflow.transitions[transition]) == expected


def test_transition_actions_come_before_on_enter_actions(tmp_path: Path) -> None:
    definition = minimal()
    definition["states"][0]["on_enter"] = ["sla.pause"]
    definition["transitions"].append(
        {
            "id": "back",
            "label": {"en": "Back", "ru": "Назад"},
            "from": ["done"],
            "to": "new",
            "roles": ["agent"],
            "actions": ["sla.restart"],
        }
    )
    workflow = load_workflow(write(tmp_path, definition))
    assert workflow.actions_on(workflow.transitions["back"]) == ("sla.restart", "sla.pause")


@given(
    roles=st.frozensets(st.sampled_from([*sorted(KNOWN_ROLES), "stranger"])),
    workflow=st.sampled_from([INCIDENT, PROBLEM]),
    data=st.data(),
)
def test_allowed_is_what_check_admits(
    roles: frozenset[str], workflow: Workflow, data: st.DataObject
) -> None:
    status = data.draw(st.sampled_from(list(workflow.states)))
    allowed = workflow.allowed(status, roles)
    assert set(ids(allowed)) <= set(ids(workflow.transitions_from(status)))
    every_field = {"resolution": "x", "comment": "x", "reason": "x", "assignee": "x"}
    for transition in workflow.transitions_from(status):
        if transition in allowed:
            assert workflow.check(transition.id, status, roles, every_field) is transition
        else:
            with pytest.raises(TransitionForbidden):
                workflow.check(transition.id, status, roles, every_field)


# ---- validation of definitions --------------------------------------------------------------


def minimal() -> dict[str, Any]:
    """A small valid incident workflow: new → done."""
    return {
        "ticket_type": "incident",
        "initial": "new",
        "states": [
            {"id": "new", "label": {"en": "New", "ru": "Новый"}, "kind": "open"},
            {"id": "done", "label": {"en": "Done", "ru": "Готово"}, "kind": "closed"},
        ],
        "transitions": [
            {
                "id": "finish",
                "label": {"en": "Finish", "ru": "Завершить"},
                "from": ["new"],
                "to": "done",
                "roles": ["agent"],
            }
        ],
    }


def write(directory: Path, definition: dict[str, Any], name: str = "incident.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow(path)
    assert str(caught.value).startswith("invalid workflow definition:")
    return caught.value.problems


def test_the_minimal_definition_is_valid(tmp_path: Path) -> None:
    workflow = load_workflow(write(tmp_path, minimal()))
    assert workflow.closed_state().id == "done"
    assert workflow.state("new").on_enter == ()
    assert workflow.transitions["finish"].requires == ()


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    path.write_text("ticket_type: incident\nstates: [unclosed\ninitial: new\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert problem.startswith("incident.yaml: line 3, column ")
    assert "invalid YAML" in problem


def test_a_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    path.write_text("- new\n- done\n", encoding="utf-8")
    assert problems_of(path) == ["incident.yaml: (top level): expected a mapping, got list"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the minimal definition: set (or, with value DELETE, remove) a dotted path."""

    def change(definition: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = definition
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value

    return change


DELETE = object()
NEW_STATE = {"id": "limbo", "label": {"en": "Limbo", "ru": "Лимб"}, "kind": "open"}


def _add_state(state: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda definition: definition["states"].append(state)


def _duplicate(section: str) -> Callable[[dict[str, Any]], None]:
    return lambda definition: definition[section].append(definition[section][0])


RULES = [
    "missing-top-key",
    "missing-state-key",
    "missing-transition-key",
    "unknown-top-key",
    "unknown-state-key",
    "unknown-transition-key",
    "unknown-label-key",
    "duplicate-state",
    "duplicate-transition",
    "empty-id",
    "initial-unknown",
    "from-unknown",
    "to-unknown",
    "unreachable",
    "closed-state-may-be-left",
    "dead-end",
    "unknown-role",
    "no-roles",
    "no-from",
    "unknown-field",
    "requires-not-a-list",
    "unknown-action",
    "unknown-on-enter",
    "no-closed-state",
    "two-closed-states",
    "unknown-kind",
    "unknown-ticket-type",
    "ticket-type-not-file-name",
    "empty-label",
    "missing-ru",
    "label-not-a-mapping",
    "no-states",
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("initial", DELETE), 'incident.yaml: (top level): missing key "initial"'),
        (
            _set("states.0.kind", DELETE),
            'incident.yaml: states[0] ("new"): missing key "kind"',
        ),
        (
            _set("transitions.0.to", DELETE),
            'incident.yaml: transitions[0] ("finish"): missing key "to"',
        ),
        (
            _set("owner", "me"),
            'incident.yaml: (top level): unknown key "owner" '
            "(allowed: initial, states, ticket_type, transitions)",
        ),
        (
            _set("states.1.colour", "red"),
            'incident.yaml: states[1] ("done"): unknown key "colour" '
            "(allowed: id, kind, label, on_enter)",
        ),
        (
            _set("transitions.0.when", "always"),
            'incident.yaml: transitions[0] ("finish"): unknown key "when"',
        ),
        (
            _set("states.0.label.de", "Neu"),
            'incident.yaml: states[0].label ("new"): unknown key "de" (allowed: en, ru)',
        ),
        (_duplicate("states"), 'incident.yaml: states[2] ("new"): duplicate state id "new"'),
        (
            _duplicate("transitions"),
            'incident.yaml: transitions[1] ("finish"): duplicate transition id "finish"',
        ),
        (_set("states.0.id", ""), "incident.yaml: states[0].id: expected a non-empty string"),
        (
            _set("initial", "nwe"),
            'incident.yaml: initial: unknown state "nwe" (known: new, done)',
        ),
        (
            _set("transitions.0.from", ["nwe"]),
            'incident.yaml: transitions[0].from ("finish"): unknown state "nwe" (known: new, done)',
        ),
        (
            _set("transitions.0.to", "dnoe"),
            'incident.yaml: transitions[0].to ("finish"): unknown state "dnoe" (known: new, done)',
        ),
        (
            _add_state({**NEW_STATE, "kind": "closed"}),
            'incident.yaml: states[2] ("limbo"): unreachable from the initial state "new"',
        ),
        (
            _set("transitions.0.from", ["new", "done"]),
            None,  # a transition out of the closed state is fine (reopen does it)
        ),
        (
            _set("states.1.kind", "resolved"),
            'incident.yaml: states[1] ("done"): dead end: no transition leaves this resolved state',
        ),
        (
            _set("transitions.0.roles", ["agnet"]),
            'incident.yaml: transitions[0].roles ("finish"): unknown role "agnet" '
            "(known: admin, agent, reporter, service, supervisor)",
        ),
        (
            _set("transitions.0.roles", []),
            'incident.yaml: transitions[0].roles ("finish"): empty: this transition could never be made',
        ),
        (
            _set("transitions.0.from", []),
            'incident.yaml: transitions[0].from ("finish"): empty',
        ),
        (
            _set("transitions.0.requires", ["priority"]),
            'incident.yaml: transitions[0].requires ("finish"): unknown field "priority" '
            "(known: assignee, comment, reason, resolution)",
        ),
        (
            _set("transitions.0.requires", "comment"),
            'incident.yaml: transitions[0].requires ("finish"): expected a list of strings, '
            'got "comment"',
        ),
        (
            _set("transitions.0.actions", ["problem.close_incidents"]),
            'incident.yaml: transitions[0].actions ("finish"): unknown action '
            '"problem.close_incidents" (known: assign.taker, sla.pause, sla.respond, '
            "sla.restart, sla.resume, sla.stop)",
        ),
        (
            _set("states.0.on_enter", ["sla.pasue"]),
            'incident.yaml: states[0].on_enter ("new"): unknown action "sla.pasue"',
        ),
        (
            _set("states.1.kind", "open"),
            "incident.yaml: states: expected exactly one state of kind closed, found 0",
        ),
        (
            _add_state({**NEW_STATE, "id": "archived", "kind": "closed"}),
            "incident.yaml: states: expected exactly one state of kind closed, "
            "found 2 (done, archived)",
        ),
        (
            _set("states.0.kind", "paused"),
            'incident.yaml: states[0].kind ("new"): unknown kind "paused" '
            "(known: open, waiting, resolved, closed)",
        ),
        (
            _set("ticket_type", "change"),
            'incident.yaml: ticket_type: unknown ticket type "change" (known: incident, problem)',
        ),
        (
            _set("ticket_type", "problem"),
            'incident.yaml: ticket_type: "problem" does not match the file name '
            '(expected "incident")',
        ),
        (
            _set("states.0.label.en", ""),
            'incident.yaml: states[0].label.en ("new"): expected a non-empty string, got ""',
        ),
        (
            _set("transitions.0.label.ru", DELETE),
            'incident.yaml: transitions[0].label ("finish"): missing key "ru"',
        ),
        (
            _set("transitions.0.label", "Finish"),
            'incident.yaml: transitions[0].label ("finish"): expected a mapping, got str',
        ),
        (
            _set("states", []),
            "incident.yaml: states: expected a non-empty list, got []",
        ),
    ],
    ids=RULES,
)
def test_each_rule_names_the_file_the_place_and_the_reason(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str | None
) -> None:
    definition = minimal()
    change(definition)
    path = write(tmp_path, definition)
    if expected is None:
        load_workflow(path)
        return
    problems = problems_of(path)
    assert any(p.startswith(expected) for p in problems), problems


def test_registries_depend_on_the_ticket_type(tmp_path: Path) -> None:
    definition = minimal()
    definition["ticket_type"] = "problem"
    definition["transitions"][0]["requires"] = ["assignee"]
    definition["transitions"][0]["actions"] = ["sla.stop"]
    problems = problems_of(write(tmp_path, definition, "problem.yaml"))
    assert problems == [
        'problem.yaml: transitions[0].requires ("finish"): unknown field "assignee" '
        "(known: comment, reason, resolution)",
        'problem.yaml: transitions[0].actions ("finish"): unknown action "sla.stop" '
        "(known: problem.close_incidents)",
    ]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    definition = minimal()
    definition["ticket_type"] = "problem"
    definition["states"][0]["label"] = {"en": "New"}
    definition["states"].append({**NEW_STATE, "id": "stuck"})
    definition["transitions"][0]["roles"] = ["agent", "boss"]
    definition["transitions"][0]["extra"] = True
    assert problems_of(write(tmp_path, definition)) == [
        'incident.yaml: ticket_type: "problem" does not match the file name (expected "incident")',
        'incident.yaml: states[0].label ("new"): missing key "ru"',
        'incident.yaml: transitions[0] ("finish"): unknown key "extra" '
        "(allowed: actions, from, id, label, requires, roles, to)",
        'incident.yaml: transitions[0].roles ("finish"): unknown role "boss" '
        "(known: admin, agent, reporter, service, supervisor)",
        'incident.yaml: states[2] ("stuck"): unreachable from the initial state "new"',
        'incident.yaml: states[2] ("stuck"): dead end: no transition leaves this open state',
    ]


def test_a_mistyped_target_does_not_also_flood_with_unreachable_states(tmp_path: Path) -> None:
    definition = minimal()
    definition["transitions"][0]["to"] = "dnoe"
    assert problems_of(write(tmp_path, definition)) == [
        'incident.yaml: transitions[0].to ("finish"): unknown state "dnoe" (known: new, done)'
    ]


def test_load_workflows_needs_every_ticket_type(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflows(tmp_path)
    assert caught.value.problems == [
        f"{tmp_path.name}: missing problem.yaml: every ticket type needs one"
    ]


def test_load_workflows_reports_the_problems_of_every_file(tmp_path: Path) -> None:
    write(tmp_path, {**minimal(), "initial": "nwe"})
    (tmp_path / "problem.yaml").write_text("ticket_type: [problem\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a workflow", encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflows(tmp_path)
    [incident, problem] = caught.value.problems
    assert incident == 'incident.yaml: initial: unknown state "nwe" (known: new, done)'
    assert problem.startswith("problem.yaml: line 2, column 1: invalid YAML")


def test_load_workflows_reads_a_directory(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    problem = minimal()
    problem["ticket_type"] = "problem"
    write(tmp_path, problem, "problem.yaml")
    loaded = load_workflows(tmp_path)
    assert sorted(loaded) == ["incident", "problem"]
    assert loaded["problem"].ticket_type == "problem"
