"""The tickets service refuses to start on a bad workflow or policy, naming the file and every
problem; the definitions it did load are served to agents, reporters and services."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from servicedesk.tickets.app import create_app
from servicedesk.tickets.policy import PolicyDefinitionError
from servicedesk.tickets.workflow import WorkflowDefinitionError
from tests.support.apps import serve
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import PROBLEM_JSON, headers_of

CONFIG = Path("src/servicedesk/tickets/config")
# Building or serving the catalogue needs no client or order look-up: nothing listens here.
NO_PROXY = "http://127.0.0.1:9"
Definition = dict[str, Any]


def _workflows(folder: Path, **edits: Callable[[Definition], None]) -> Path:
    """The shipped workflows copied into the folder, each named file (incident=…) edited."""
    target = folder / "workflows"
    shutil.copytree(CONFIG / "workflows", target)
    for ticket_type, edit in edits.items():
        path = target / f"{ticket_type}.yaml"
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(definition)
        path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return target


def _transition(definition: Definition, transition_id: str) -> Definition:
    found: Definition = next(t for t in definition["transitions"] if t["id"] == transition_id)
    return found


def _to_unknown_state(definition: Definition) -> None:
    _transition(definition, "start")["to"] = "working"


def _unknown_role(definition: Definition) -> None:
    _transition(definition, "resume")["roles"].append("wizard")


def _unreachable_state(definition: Definition) -> None:
    label = {"en": "Limbo", "ru": "Лимб"}
    definition["states"].append({"id": "limbo", "label": label, "kind": "open"})
    definition["transitions"].append(
        {"id": "leave", "label": label, "from": ["limbo"], "to": "new", "roles": ["agent"]}
    )


def _problem_close_to_nowhere(definition: Definition) -> None:
    _transition(definition, "close")["to"] = "archived"


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            {"incident": _to_unknown_state},
            ['incident.yaml: transitions[0].to ("start"): unknown state "working"'],
        ),
        (
            {"incident": _unknown_role},
            ['incident.yaml: transitions[2].roles ("resume"): unknown role "wizard"'],
        ),
        (
            {"incident": _unreachable_state},
            ['incident.yaml: states[5] ("limbo"): unreachable from the initial state "new"'],
        ),
        (
            {"problem": _problem_close_to_nowhere},
            ['problem.yaml: transitions[3].to ("close"): unknown state "archived"'],
        ),
        (
            {
                "incident": lambda d: (_unknown_role(d), _unreachable_state(d)),
                "problem": _problem_close_to_nowhere,
            },
            [
                'incident.yaml: transitions[2].roles ("resume"): unknown role "wizard"',
                'incident.yaml: states[5] ("limbo"): unreachable from the initial state "new"',
                'problem.yaml: transitions[3].to ("close"): unknown state "archived"',
            ],
        ),
    ],
    ids=["unknown-state", "unknown-role", "unreachable", "problem-file", "all-at-once"],
)
def test_a_bad_workflow_stops_the_service_naming_file_and_problem(
    tmp_path: Path, edits: dict[str, Callable[[Definition], None]], expected: list[str]
) -> None:
    settings = tickets_settings(NO_PROXY, workflows_dir=_workflows(tmp_path, **edits))
    with pytest.raises(WorkflowDefinitionError) as caught:
        create_app(settings)
    assert len(caught.value.problems) == len(expected), caught.value.problems
    for problem, wanted in zip(caught.value.problems, expected, strict=True):
        assert problem.startswith(wanted), problem
        assert wanted in str(caught.value)


def test_a_missing_workflow_file_is_named(tmp_path: Path) -> None:
    folder = _workflows(tmp_path)
    (folder / "problem.yaml").unlink()
    with pytest.raises(WorkflowDefinitionError, match=r"missing problem\.yaml"):
        create_app(tickets_settings(NO_PROXY, workflows_dir=folder))


def _policy(folder: Path, edit: Callable[[Definition], None] | None = None) -> Path:
    policy = yaml.safe_load((CONFIG / "policy.yaml").read_text(encoding="utf-8"))
    if edit is not None:
        edit(policy)
    path = folder / "site-policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


def _unknown_priority(policy: Definition) -> None:
    policy["priority_matrix"]["high"]["high"] = "urgent"


def _no_targets_for_low(policy: Definition) -> None:
    del policy["sla"]["low"]


def _bad_duration(policy: Definition) -> None:
    policy["sla"]["high"]["response"] = "5 minutes"


def _bad_window(policy: Definition) -> None:
    policy["correlation"][0]["within"] = "0s"


def _unknown_rule_field(policy: Definition) -> None:
    policy["correlation"][1]["match"] = ["client", "colour"]


def _warning_at_the_due_time(policy: Definition) -> None:
    policy["sla_warning_at"] = 1


def _missing_urgency(policy: Definition) -> None:
    del policy["priority_matrix"]["low"]["medium"]
    policy["priority_matrix"]["low"]["mediun"] = "low"


def _everything_wrong(policy: Definition) -> None:
    _unknown_priority(policy)
    _no_targets_for_low(policy)
    _bad_duration(policy)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _unknown_priority,
            ["priority_matrix.high.high: 'urgent' is not one of the priorities"],
        ),
        (_no_targets_for_low, ["sla: no targets for priority 'low'"]),
        (_bad_duration, ["sla.high.response: Value error, '5 minutes' is not a duration"]),
        (_bad_window, ["correlation.0.within: Value error, '0s' is not a duration"]),
        (_unknown_rule_field, ["correlation.1.match: Value error, unknown fields ['colour']"]),
        (_warning_at_the_due_time, ["sla_warning_at: Input should be less than 1"]),
        (
            _missing_urgency,
            [
                "priority_matrix.low.mediun: 'mediun' is not an urgency level",
                "priority_matrix.low: urgency 'medium' is missing",
            ],
        ),
        (
            _everything_wrong,
            [
                "sla.high.response: Value error, '5 minutes' is not a duration",
                "priority_matrix.high.high: 'urgent' is not one of the priorities",
                "sla: no targets for priority 'low'",
            ],
        ),
    ],
    ids=[
        "unknown-priority",
        "sla-missing",
        "bad-duration",
        "zero-window",
        "rule-field",
        "warning-share",
        "urgency-typo",
        "all-at-once",
    ],
)
def test_a_bad_policy_stops_the_service_naming_every_problem(
    tmp_path: Path, edit: Callable[[Definition], None], expected: list[str]
) -> None:
    with pytest.raises(PolicyDefinitionError) as caught:
        create_app(tickets_settings(NO_PROXY, policy_file=_policy(tmp_path, edit)))
    assert str(caught.value).startswith("site-policy.yaml: "), "the file is named"
    assert len(caught.value.problems) == len(expected), caught.value.problems
    for problem, wanted in zip(caught.value.problems, expected, strict=True):
        assert problem.startswith(wanted), problem


def test_a_policy_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("categories: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyDefinitionError, match=r"^broken\.yaml: not valid YAML"):
        create_app(tickets_settings(NO_PROXY, policy_file=path))


# ---- the definitions served ------------------------------------------------------------------


@pytest.fixture(scope="module")
async def catalogue_api() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(tickets_settings(NO_PROXY))) as client:
        yield client


@pytest.mark.parametrize("who", ["agent1", "reporter1", "supervisor1", "service:channels", None])
async def test_workflows_and_policy_are_read_by_anyone_signed_in(
    catalogue_api: httpx.AsyncClient, tokens: TokenShop, who: str | None
) -> None:
    headers = await headers_of(tokens, who)
    for path in ("/api/v1/workflows", "/api/v1/workflows/incident", "/api/v1/policy"):
        response = await catalogue_api.get(path, headers=headers)
        assert response.status_code == (200 if who else 401), response.text
        if who is None:
            assert response.headers["content-type"] == PROBLEM_JSON


async def test_the_workflows_served_are_the_loaded_ones(
    catalogue_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    flows = (await catalogue_api.get("/api/v1/workflows", headers=reporter)).json()
    assert [f["ticket_type"] for f in flows] == ["incident", "problem"]
    incident = flows[0]
    assert incident["initial"] == "new"
    assert incident["states"][2] == {
        "id": "waiting_for_reporter",
        "label": {"en": "Waiting for the reporter", "ru": "Ожидает ответа заявителя"},
        "kind": "waiting",
    }
    by_id = {t["id"]: t for t in incident["transitions"]}
    assert by_id["ask_reporter"]["actions"] == ["sla.pause"], "the target's on_enter included"
    assert by_id["resolve"] | {"label": None} == {
        "id": "resolve",
        "label": None,
        "from": ["in_progress", "new", "waiting_for_reporter"],
        "to": "resolved",
        "roles": ["agent"],
        "requires": ["resolution"],
        "actions": ["sla.respond", "sla.stop"],
    }
    close = next(t for t in flows[1]["transitions"] if t["id"] == "close")
    assert (close["roles"], close["actions"]) == (["supervisor"], ["problem.close_incidents"])

    missing = await catalogue_api.get("/api/v1/workflows/task", headers=reporter)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_JSON
    assert missing.json()["type"].endswith("/workflow-not-found")


async def test_the_policy_served_is_the_loaded_one(
    catalogue_api: httpx.AsyncClient, tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    shipped = (await catalogue_api.get("/api/v1/policy", headers=agent)).json()
    assert shipped["priorities"] == ["critical", "high", "medium", "low"]
    assert shipped["categories"]["network"] == {"en": "Network and VPN", "ru": "Сеть и VPN"}
    assert shipped["priority_matrix"]["high"] == {
        "high": "critical",
        "medium": "high",
        "low": "medium",
    }
    assert shipped["sla"]["critical"] == {"response_s": 15 * 60, "resolution_s": 4 * 3600}
    assert shipped["correlation"] == [
        {"name": "same-order", "match": ["order"], "within_s": 7 * 86400},
        {"name": "same-client-and-category", "match": ["client", "category"], "within_s": 4 * 3600},
    ]

    def tiny(policy: Definition) -> None:
        policy["sla"]["critical"] = {"response": "30s", "resolution": "2m"}
        policy["correlation"] = []

    settings = tickets_settings(NO_PROXY, policy_file=_policy(tmp_path, tiny))
    async with serve(create_app(settings)) as custom:
        served = (await custom.get("/api/v1/policy", headers=agent)).json()
    assert served["sla"]["critical"] == {"response_s": 30, "resolution_s": 120}
    assert served["correlation"] == []
