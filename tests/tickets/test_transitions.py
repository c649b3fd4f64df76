"""Workflow transitions over HTTP for incidents and problems: what each role may do, every kind
of refusal, the fields transitions ask for, and closing a problem with all its incidents."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml

from servicedesk.tickets.app import create_app
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import PROBLEM_JSON, headers_of, open_incident, subject_of

INCIDENTS = "/api/v1/incidents"
PROBLEMS = "/api/v1/problems"
CONFIG = Path("src/servicedesk/tickets/config")


async def _fetch(sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await admin_connection()
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def _events(aggregate_id: str, event_type: str) -> list[dict[str, Any]]:
    rows = await _fetch(
        "select payload::text from tickets.outbox where aggregate_id = $1 and event_type = $2"
        " order by seq",
        aggregate_id,
        event_type,
    )
    return [json.loads(r["payload"]) for r in rows]


async def _move(
    api: httpx.AsyncClient, headers: dict[str, str], path: str, transition: str, **fields: str
) -> httpx.Response:
    body = {"transition": transition, "fields": fields}
    return await api.post(f"{path}/transitions", json=body, headers=headers)


async def _moved(
    api: httpx.AsyncClient, headers: dict[str, str], path: str, transition: str, **fields: str
) -> dict[str, Any]:
    response = await _move(api, headers, path, transition, **fields)
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


async def _eventually(
    fetch: Callable[[], Awaitable[httpx.Response]], ok: Callable[[Any], bool], timeout_s: float = 5
) -> Any:
    """The JSON of the first answer `ok` accepts (another user's reads may lag on the standby)."""
    deadline = time.monotonic() + timeout_s
    while True:
        response = await fetch()
        assert response.status_code == 200, response.text
        if ok(response.json()) or time.monotonic() > deadline:
            return response.json()
        await asyncio.sleep(0.05)


async def _offered(
    api: httpx.AsyncClient, headers: dict[str, str], path: str, expected: list[str]
) -> list[dict[str, Any]]:
    offered: list[dict[str, Any]] = await _eventually(
        lambda: api.get(f"{path}/transitions", headers=headers),
        lambda body: [t["id"] for t in body] == expected,
    )
    assert [t["id"] for t in offered] == expected
    return offered


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/{code}"), body
    return body


# ---- incidents -------------------------------------------------------------------------------


async def test_each_role_is_offered_the_transitions_it_may_make(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    agent = await headers_of(tokens, "agent1")
    other = await headers_of(tokens, "agent2")
    mine = await open_incident(tickets_api, reporter)
    path = f"{INCIDENTS}/{mine['id']}"

    assert await _offered(tickets_api, reporter, path, []) == []
    offered = await _offered(tickets_api, agent, path, ["start", "resolve"])
    assert offered[1] == {
        "id": "resolve",
        "label": {"en": "Resolve", "ru": "Решить"},
        "target": "resolved",
        "requires": ["resolution"],
    }
    await _moved(tickets_api, agent, path, "start")
    await _moved(tickets_api, agent, path, "ask_reporter", comment="Which browser do you use?")
    await _offered(tickets_api, reporter, path, ["resume"])
    await _offered(tickets_api, other, path, ["resume", "resolve"])
    await _moved(tickets_api, reporter, path, "resume", comment="Firefox 128")
    await _moved(tickets_api, agent, path, "resolve", resolution="Cleared the cache")
    reopen = await _offered(tickets_api, reporter, path, ["close", "reopen"])
    assert reopen[1]["requires"] == ["reason"]
    await _moved(tickets_api, reporter, path, "close")
    await _offered(tickets_api, reporter, path, ["reopen"])

    stranger = await open_incident(tickets_api, agent)
    hidden = await tickets_api.get(f"{INCIDENTS}/{stranger['id']}/transitions", headers=reporter)
    assert hidden.status_code == 404, "a reporter does not learn of other people's incidents"
    moving = await _move(tickets_api, reporter, f"{INCIDENTS}/{stranger['id']}", "start")
    assert moving.status_code == 404


async def test_refusals_say_what_is_wrong_and_change_nothing(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    reporter = await headers_of(tokens, "reporter1")
    incident = await open_incident(tickets_api, reporter)
    path = f"{INCIDENTS}/{incident['id']}"

    unknown = _problem(await _move(tickets_api, agent, path, "teleport"), 404, "unknown-transition")
    assert unknown["transition"] == "teleport"
    assert unknown["known"] == ["start", "ask_reporter", "resume", "resolve", "close", "reopen"]

    not_here = _problem(
        await _move(tickets_api, agent, path, "close"), 409, "transition-not-allowed"
    )
    assert (not_here["current_status"], not_here["allowed_from"]) == ("new", ["resolved"])
    assert '"new"' in not_here["detail"]

    no_role = _problem(
        await _move(tickets_api, reporter, path, "start"), 403, "transition-forbidden"
    )
    assert no_role["required_roles"] == ["agent"]
    assert "agent" in no_role["detail"]

    for fields in ({}, {"resolution": "   "}):
        missing = _problem(
            await _move(tickets_api, agent, path, "resolve", **fields),
            422,
            "transition-fields-missing",
        )
        assert [e["field"] for e in missing["errors"]] == ["fields.resolution"]

    unknown_field = await _move(tickets_api, agent, path, "start", colour="red")
    assert unknown_field.status_code == 422, unknown_field.text
    assert [e["field"] for e in unknown_field.json()["errors"]] == ["fields.colour"]
    badly_named = await _move(tickets_api, agent, path, "start", **{"Colour-2": "red"})
    assert badly_named.status_code == 422
    garbled = await _move(tickets_api, agent, path, "resolve", resolution="nul\x00byte")
    assert garbled.status_code == 422, garbled.text
    assert [e["field"] for e in garbled.json()["errors"]] == ["fields.resolution"]

    after = await tickets_api.get(path, headers=agent)
    assert (after.json()["status"], after.json()["version"]) == ("new", 1)
    assert await _events(incident["id"], "incident.status_changed") == []


async def test_asking_the_reporter_needs_a_comment_that_becomes_a_public_one(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    reporter = await headers_of(tokens, "reporter1")
    incident = await open_incident(tickets_api, reporter)
    path = f"{INCIDENTS}/{incident['id']}"
    await _moved(tickets_api, agent, path, "start")

    refused = _problem(
        await _move(tickets_api, agent, path, "ask_reporter"), 422, "transition-fields-missing"
    )
    assert [e["field"] for e in refused["errors"]] == ["fields.comment"]
    question = "Since when does it fail?\nPlease attach a screenshot."
    waiting = await _moved(tickets_api, agent, path, "ask_reporter", comment=question)
    assert waiting["status"] == "waiting_for_reporter"
    assert waiting["sla_paused_at"] is not None

    comments = await tickets_api.get(f"{path}/comments", headers=agent)
    assert [(c["body"], c["visibility"], c["author_username"]) for c in comments.json()] == [
        (question, "public", "agent1")
    ]
    seen = await _eventually(
        lambda: tickets_api.get(f"{path}/comments", headers=reporter), lambda body: bool(body)
    )
    assert [c["body"] for c in seen] == [question], "the reporter sees the question"
    told = await _events(incident["id"], "incident.commented")
    assert [(e["body"], e["visibility"], e["author"]) for e in told] == [
        (question, "public", "agent1")
    ], "notifications hear of the question like of any public comment"
    status = await _events(incident["id"], "incident.status_changed")
    assert [(e["transition"], e["to_status"]) for e in status] == [
        ("start", "in_progress"),
        ("ask_reporter", "waiting_for_reporter"),
    ]


async def test_an_assignee_requirement_is_met_by_the_assignee_already_there(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    flows = tmp_path / "workflows"
    shutil.copytree(CONFIG / "workflows", flows)
    definition = yaml.safe_load((flows / "incident.yaml").read_text(encoding="utf-8"))
    start = next(t for t in definition["transitions"] if t["id"] == "start")
    start["requires"] = ["assignee"]
    (flows / "incident.yaml").write_text(yaml.safe_dump(definition, allow_unicode=True))
    agent = await headers_of(tokens, "agent1")
    reporter = await headers_of(tokens, "reporter1")
    agent1, agent2 = await subject_of(tokens, "agent1"), await subject_of(tokens, "agent2")

    settings = tickets_settings(proxy_urls["migration"], workflows_dir=flows)
    async with serve(create_app(settings)) as api:
        assigned = await open_incident(api, agent, assignee=agent2)
        started = await _moved(api, agent, f"{INCIDENTS}/{assigned['id']}", "start")
        assert (started["status"], started["assignee_username"]) == ("in_progress", "agent2")

        loose = await open_incident(api, reporter)
        path = f"{INCIDENTS}/{loose['id']}"
        refused = _problem(await _move(api, agent, path, "start"), 422, "transition-fields-missing")
        assert [e["field"] for e in refused["errors"]] == ["fields.assignee"]
        started = await _moved(api, agent, path, "start", assignee=agent2)
        assert started["assignee_username"] == "agent2"
        asked = await _moved(api, agent, path, "ask_reporter", comment="Which?", assignee=agent1)
        assert asked["assignee_username"] == "agent1"

        grabbing = await _move(api, reporter, path, "resume", assignee=agent2)
        denied = _problem(grabbing, 403, "assignee-for-staff")
        assert denied["required_roles"] == ["agent", "service"]
        resumed = await _moved(api, reporter, path, "resume")
        assert (resumed["status"], resumed["assignee_username"]) == ("in_progress", "agent1")

    history = await _fetch(
        "select old_value, new_value from tickets.history where ticket_id = $1"
        " and field = 'assignee_username' order by id",
        uuid.UUID(loose["id"]),
    )
    assert [(h["old_value"], h["new_value"]) for h in history] == [
        (None, "agent2"),
        ("agent2", "agent1"),
    ]


# ---- problems --------------------------------------------------------------------------------


async def test_problem_transitions_by_role_and_their_refusals(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    supervisor = await headers_of(tokens, "supervisor1")
    service = await headers_of(tokens, "service:channels")
    incident = await open_incident(tickets_api, agent)
    path = f"{PROBLEMS}/{incident['problem_id']}"

    await _offered(tickets_api, agent, path, ["investigate"])
    offered = await _offered(tickets_api, supervisor, path, ["investigate", "close"])
    assert offered[1]["requires"] == ["resolution"]
    await _offered(tickets_api, service, path, [])

    not_here = _problem(
        await _move(tickets_api, agent, path, "reinvestigate", reason="x"),
        409,
        "transition-not-allowed",
    )
    assert (not_here["current_status"], not_here["allowed_from"]) == (
        "open",
        ["known_error", "fixed"],
    )
    unknown = await _move(tickets_api, agent, path, "investigate", assignee="someone")
    assert unknown.status_code == 422, "problems take no assignee through a transition"
    assert [e["field"] for e in unknown.json()["errors"]] == ["fields.assignee"]
    _problem(await _move(tickets_api, agent, path, "solve"), 404, "unknown-transition")

    assert (await _moved(tickets_api, agent, path, "investigate"))["status"] == "investigating"
    missing = _problem(
        await _move(tickets_api, agent, path, "mark_known_error"), 422, "transition-fields-missing"
    )
    assert [e["field"] for e in missing["errors"]] == ["fields.comment"]
    note = "Known: the certificate expired"
    await _moved(tickets_api, agent, path, "mark_known_error", comment=note)
    history = await tickets_api.get(f"{path}/history", headers=agent)
    assert ("comment", note) in [(h["field"], h["new_value"]) for h in history.json()], (
        "the comment a transition asks for is kept"
    )

    by_agent = _problem(
        await _move(tickets_api, agent, path, "close", resolution="Renewed"),
        403,
        "transition-forbidden",
    )
    assert by_agent["required_roles"] == ["supervisor"]
    assert "supervisor" in by_agent["detail"]
    no_resolution = _problem(
        await _move(tickets_api, supervisor, path, "close"), 422, "transition-fields-missing"
    )
    assert [e["field"] for e in no_resolution["errors"]] == ["fields.resolution"]
    updated = await _events(incident["problem_id"], "problem.updated")
    assert [(e["transition"], e["from_status"], e["to_status"]) for e in updated] == [
        ("investigate", "open", "investigating"),
        ("mark_known_error", "investigating", "known_error"),
    ]


def _policy_with_stream(folder: Path, category: str) -> Path:
    policy = yaml.safe_load((CONFIG / "policy.yaml").read_text(encoding="utf-8"))
    policy["categories"] = {category: {"en": "Stream", "ru": "Поток"}}
    policy["correlation"] = [{"name": "stream", "match": ["category", "channel"], "within": "1h"}]
    path = folder / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


async def test_closing_a_problem_closes_its_incidents_at_once(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    supervisor = await headers_of(tokens, "supervisor1")
    category = f"s-{uuid.uuid4().hex[:10]}"
    settings = tickets_settings(
        proxy_urls["migration"], policy_file=_policy_with_stream(tmp_path, category)
    )
    async with serve(create_app(settings)) as api:
        made = [await open_incident(api, agent, category=category) for _ in range(40)]
        problem_id = made[0]["problem_id"]
        assert {m["problem_id"] for m in made} == {problem_id}
        done, own, waiting = (f"{INCIDENTS}/{made[i]['id']}" for i in range(3))
        await _moved(api, agent, done, "resolve", resolution="Fixed it myself")
        closed_before = await _moved(api, agent, done, "close")
        await _moved(api, agent, own, "resolve", resolution="A workaround")
        await _moved(api, agent, waiting, "start")
        await _moved(api, agent, waiting, "ask_reporter", comment="Still failing?")

        path = f"{PROBLEMS}/{problem_id}"
        denied = _problem(
            await _move(api, agent, path, "close", resolution="No"), 403, "transition-forbidden"
        )
        assert denied["required_roles"] == ["supervisor"]

        resolution = "The payment gateway certificate was renewed"
        locker, watcher = await admin_connection(), await admin_connection()
        try:
            locking = locker.transaction()
            await locking.start()
            held = uuid.UUID(made[20]["id"])
            await locker.execute("select 1 from tickets.incidents where id = $1 for update", held)
            closing = asyncio.create_task(
                _move(api, supervisor, path, "close", resolution=resolution)
            )
            await _until_blocked_by(watcher, locker.get_server_pid())
            half = await watcher.fetchrow(
                "select count(*) filter (where i.status = 'closed') as closed, p.status"
                " from tickets.incidents i join tickets.problems p on p.id = i.problem_id"
                " where p.id = $1 group by p.status",
                uuid.UUID(problem_id),
            )
            assert (half["closed"], half["status"]) == (1, "open"), "nothing is half-closed"
            await locking.rollback()
            answer = await closing
        finally:
            await locker.close()
            await watcher.close()
        assert answer.status_code == 200, answer.text
        problem = answer.json()
        assert (problem["status"], problem["resolution"]) == ("closed", resolution)
        assert problem["incident_count"] == 40

        reopened = await _moved(
            api, agent, f"{INCIDENTS}/{made[5]['id']}", "reopen", reason="Again"
        )
        assert reopened["status"] == "in_progress"
        refused = await _move(api, agent, f"{INCIDENTS}/{made[6]['id']}", "reopen")
        assert refused.status_code == 422

    rows = {
        str(r["id"]): r
        for r in await _fetch(
            "select id, status, resolution, version, resolved_at, sla_paused_at, xmin::text as tx"
            " from tickets.incidents where problem_id = $1",
            uuid.UUID(problem_id),
        )
    }
    swept = [m["id"] for m in made[1:] if m is not made[5]]
    key = problem["key"]
    closed_with = f"closed with problem {key}: {resolution}"
    assert rows[made[0]["id"]]["version"] == closed_before["version"], "already closed: untouched"
    assert rows[made[0]["id"]]["resolution"] == "Fixed it myself"
    assert rows[made[1]["id"]]["resolution"] == "A workaround", "its own resolution stays"
    assert {rows[i]["status"] for i in swept} == {"closed"}
    assert {rows[i]["resolution"] for i in swept[1:]} == {resolution}
    assert all(rows[i]["resolved_at"] is not None for i in swept), "the SLA clock stopped"
    assert rows[made[2]["id"]]["sla_paused_at"] is None, "and its pause ended"
    problem_tx = (
        await _fetch(
            "select xmin::text as tx, status, closed_at from tickets.problems where id = $1",
            uuid.UUID(problem_id),
        )
    )[0]
    assert problem_tx["status"] == "closed", "reopening an incident leaves the problem closed"
    assert {rows[i]["tx"] for i in swept if i != made[5]["id"]} == {problem_tx["tx"]}, (
        "one transaction closed the problem and every incident"
    )

    history = await _fetch(
        "select ticket_id::text as id, field, new_value, xmin::text as tx from tickets.history"
        " where note = $1",
        closed_with,
    )
    assert sorted(h["id"] for h in history if h["field"] == "status") == sorted(
        [*swept, made[5]["id"]]
    )
    assert {h["tx"] for h in history} == {problem_tx["tx"]}
    assert sorted(h["id"] for h in history if h["field"] == "resolution") == sorted(
        [m["id"] for m in made[2:]]
    ), "a resolution taken from the problem is a change too"

    events = await _fetch(
        "select aggregate_id, payload::text from tickets.outbox"
        " where event_type = 'incident.status_changed' and payload->>'reason' = 'problem_closed'"
        " and payload->>'problem_key' = $1",
        key,
    )
    payloads = {e["aggregate_id"]: json.loads(e["payload"]) for e in events}
    assert len(events) == 39, "one each, once"
    assert set(payloads) == {*swept, made[5]["id"]}
    assert payloads[made[2]["id"]]["from_status"] == "waiting_for_reporter"
    assert payloads[made[1]["id"]]["from_status"] == "resolved"
    assert {p["to_status"] for p in payloads.values()} == {"closed"}
    (closed_event,) = await _events(problem_id, "problem.closed")
    assert sorted(closed_event["closed_incidents"]) == sorted(payloads)
    reopen_history = await _fetch(
        "select note from tickets.history where ticket_id = $1 and field = 'status' order by id",
        uuid.UUID(made[5]["id"]),
    )
    assert reopen_history[-1]["note"] == "Again"


async def _until_blocked_by(watcher: asyncpg.Connection, pid: int, timeout_s: float = 10) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        waiting = await watcher.fetchval(
            "select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid)) limit 1", pid
        )
        if waiting is not None:
            return int(waiting)
        assert time.monotonic() < deadline, f"nothing waited for backend {pid}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("who", ["reporter1", None])
async def test_problem_transitions_need_staff(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, who: str | None
) -> None:
    incident = await open_incident(tickets_api, await headers_of(tokens, "agent1"))
    caller = await headers_of(tokens, who)
    path = f"{PROBLEMS}/{incident['problem_id']}/transitions"
    listing = await tickets_api.get(path, headers=caller)
    moving = await tickets_api.post(path, json={"transition": "investigate"}, headers=caller)
    assert listing.status_code == moving.status_code == (403 if who else 401)


async def test_taking_an_unassigned_incident_assigns_the_taker_and_puts_it_on_my_work(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    agent, other = await headers_of(tokens, "agent1"), await headers_of(tokens, "agent2")
    # critical and newest: the first card of its column however much agent1 has on the board
    unassigned = await open_incident(tickets_api, reporter, impact="high", urgency="high")
    taken = await _moved(tickets_api, agent, f"{INCIDENTS}/{unassigned['id']}", "start")
    assert taken["assignee_username"] == "agent1"
    assert taken["assignee_id"] == await subject_of(tokens, "agent1")
    history = await tickets_api.get(f"{INCIDENTS}/{unassigned['id']}/history", headers=agent)
    assert any(
        entry["field"] == "assignee_username" and entry["new_value"] == "agent1"
        for entry in history.json()
    ), history.text
    boards = await tickets_api.get("/api/v1/boards", headers=agent)
    my_work = next(b for b in boards.json() if b["is_default"])
    cards = await tickets_api.get(f"/api/v1/boards/{my_work['id']}/cards", headers=agent)
    assert unassigned["key"] in cards.text, "a taken incident is on the taker's My work board"

    already = await open_incident(tickets_api, reporter)
    assign = await tickets_api.patch(
        f"{INCIDENTS}/{already['id']}",
        json={"assignee": await subject_of(tokens, "agent2")},
        headers={**agent, "If-Match": f'"{already["version"]}"'},
    )
    assert assign.status_code == 200, assign.text
    kept = await _moved(tickets_api, other, f"{INCIDENTS}/{already['id']}", "start")
    assert kept["assignee_username"] == "agent2", "taking keeps an assignee already there"
