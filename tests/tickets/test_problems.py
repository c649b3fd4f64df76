"""Problems on the real stack: opened automatically, found by correlation rules (serialised under
concurrency, never a closed one), linked and unlinked by hand, and who may touch them."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
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
from tests.tickets.factories import (
    PROBLEM_JSON,
    headers_of,
    open_incident,
    our_client,
    our_order,
    unique,
)

PROBLEMS = "/api/v1/problems"
INCIDENTS = "/api/v1/incidents"
SHIPPED_POLICY = Path("src/servicedesk/tickets/config/policy.yaml")


# ---- helpers ---------------------------------------------------------------------------------


async def _fetch(sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await admin_connection()
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def _events(aggregate_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = await _fetch(
        "select event_type, payload::text from tickets.outbox where aggregate_id = $1 order by seq",
        aggregate_id,
    )
    return [(r["event_type"], json.loads(r["payload"])) for r in rows]


async def _history(ticket_id: str) -> list[asyncpg.Record]:
    return await _fetch(
        "select field, old_value, new_value, note, actor from tickets.history"
        " where ticket_id = $1 order by id",
        uuid.UUID(ticket_id),
    )


def _policy_file(folder: Path, **changes: Any) -> Path:
    """The shipped policy with some sections replaced, written into the folder."""
    policy = yaml.safe_load(SHIPPED_POLICY.read_text(encoding="utf-8")) | changes
    path = folder / f"policy-{uuid.uuid4().hex[:8]}.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


@asynccontextmanager
async def _desk_with_rule(
    proxy_urls: dict[str, str], folder: Path, within: str = "1h"
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A tickets app whose only rule is "same category and channel", and a category of this test
    alone (so no other incident, of this run or another, ever matches)."""
    category = f"t-{uuid.uuid4().hex[:10]}"
    path = _policy_file(
        folder,
        categories={category: {"en": "Test", "ru": "Тест"}, "other": {"en": "O", "ru": "Д"}},
        correlation=[{"name": "same-stream", "match": ["category", "channel"], "within": within}],
    )
    async with serve(
        create_app(tickets_settings(proxy_urls["migration"], policy_file=path))
    ) as api:
        yield api, category


async def _close_problem(api: httpx.AsyncClient, headers: dict[str, str], problem: str) -> None:
    body = {"transition": "close", "fields": {"resolution": "Fixed at the source"}}
    closed = await api.post(f"{PROBLEMS}/{problem}/transitions", json=body, headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"


async def _until_blocked_by(watcher: asyncpg.Connection, pid: int, timeout_s: float = 10) -> int:
    """The backend that waits for a lock `pid` holds, once there is one."""
    deadline = time.monotonic() + timeout_s
    while True:
        waiting = await watcher.fetchval(
            "select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid)) limit 1", pid
        )
        if waiting is not None:
            return int(waiting)
        assert time.monotonic() < deadline, f"nothing waited for backend {pid}"
        await asyncio.sleep(0.02)


# ---- opened automatically and found by the rules --------------------------------------------


async def test_an_incident_without_matches_gets_a_new_problem_of_its_own(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, agent, impact="high", urgency="medium")
    problem_id = incident["problem_id"]
    assert problem_id is not None

    read = await tickets_api.get(f"{PROBLEMS}/{problem_id}", headers=agent)
    assert read.status_code == 200, read.text
    problem = read.json()
    assert re.fullmatch(r"PRB-\d{6}", problem["key"])
    assert (problem["title"], problem["category"]) == (incident["title"], "software")
    assert (problem["status"], problem["priority"]) == ("open", "high")
    assert problem["incident_count"] == 1
    assert problem["closed_at"] is None
    by_key = await tickets_api.get(f"{PROBLEMS}/{problem['key'].lower()}", headers=agent)
    assert by_key.json()["id"] == problem_id

    events = await _events(problem_id)
    assert [t for t, _ in events] == ["problem.created"]
    assert events[0][1]["incident_id"] == incident["id"]
    assert events[0][1]["key"] == problem["key"]
    created = [p for t, p in await _events(incident["id"]) if t == "incident.created"]
    assert [p["problem_key"] for p in created] == [problem["key"]]

    history = await tickets_api.get(f"{PROBLEMS}/{problem['key']}/history", headers=agent)
    assert [(h["field"], h["new_value"], h["note"]) for h in history.json()] == [
        ("status", "open", f"opened automatically for incident {incident['key']}")
    ]
    notes = [(h["field"], h["note"]) for h in await _history(incident["id"])]
    assert ("problem", "its own new problem") in notes


async def test_a_second_incident_about_the_same_order_joins_the_first_ones_problem(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, proxy_urls: dict[str, str]
) -> None:
    agent = await headers_of(tokens, "agent1")
    client = await our_client(proxy_urls["migration"], agent)
    order = await our_order(proxy_urls["migration"], agent, client["id"])
    first = await open_incident(tickets_api, agent, order=order["id"], category="billing")
    second = await open_incident(tickets_api, agent, order=order["id"], category="network")

    assert second["order_ref"] == first["order_ref"] == order["id"]
    assert second["problem_id"] == first["problem_id"]
    history = await _history(second["id"])
    assert [(h["field"], h["note"]) for h in history if h["field"] == "problem"] == [
        ("problem", "joined by rule same-order")
    ]
    events = await _events(first["problem_id"])
    assert [t for t, _ in events] == ["problem.created"], "joining opens nothing"
    listed = await tickets_api.get(f"{PROBLEMS}/{first['problem_id']}/incidents", headers=agent)
    assert {i["id"] for i in listed.json()} == {first["id"], second["id"]}
    read = await tickets_api.get(f"{PROBLEMS}/{first['problem_id']}", headers=agent)
    assert read.json()["incident_count"] == 2


async def test_same_client_and_category_joins_and_another_category_does_not(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, proxy_urls: dict[str, str]
) -> None:
    agent = await headers_of(tokens, "agent1")
    client = await our_client(proxy_urls["migration"], agent)
    first = await open_incident(tickets_api, agent, client=client["id"], category="network")
    same = await open_incident(tickets_api, agent, client=client["id"], category="network")
    other = await open_incident(tickets_api, agent, client=client["id"], category="hardware")

    assert same["problem_id"] == first["problem_id"]
    assert [h["note"] for h in await _history(same["id"]) if h["field"] == "problem"] == [
        "joined by rule same-client-and-category"
    ]
    assert other["problem_id"] not in (None, first["problem_id"])
    assert [h["note"] for h in await _history(other["id"]) if h["field"] == "problem"] == [
        "its own new problem"
    ]


async def test_a_rule_of_a_custom_policy_joins_within_its_window_only(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with _desk_with_rule(proxy_urls, tmp_path, within="1s") as (api, category):
        first = await open_incident(api, agent, category=category, channel="email")
        joined = await open_incident(api, agent, category=category, channel="email")
        other_channel = await open_incident(api, agent, category=category, channel="sms")
        await asyncio.sleep(1.2)
        late = await open_incident(api, agent, category=category, channel="email")
        after_late = await open_incident(api, agent, category=category, channel="email")

    assert joined["problem_id"] == first["problem_id"]
    assert [h["note"] for h in await _history(joined["id"]) if h["field"] == "problem"] == [
        "joined by rule same-stream"
    ]
    assert other_channel["problem_id"] != first["problem_id"], "the channel differs"
    assert late["problem_id"] not in (first["problem_id"], other_channel["problem_id"])
    assert after_late["problem_id"] == late["problem_id"], "the window counts from the newest"


async def test_a_closed_problem_is_never_joined(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, proxy_urls: dict[str, str]
) -> None:
    agent = await headers_of(tokens, "agent1")
    supervisor = await headers_of(tokens, "supervisor1")
    client = await our_client(proxy_urls["migration"], agent)
    order = await our_order(proxy_urls["migration"], agent, client["id"])
    first = await open_incident(tickets_api, agent, order=order["id"])
    await _close_problem(tickets_api, supervisor, first["problem_id"])

    later = await open_incident(tickets_api, agent, order=order["id"])
    assert later["problem_id"] not in (None, first["problem_id"])
    assert [h["note"] for h in await _history(later["id"]) if h["field"] == "problem"] == [
        "its own new problem"
    ]
    again = await open_incident(tickets_api, agent, order=order["id"])
    assert again["problem_id"] == later["problem_id"], "the new open problem takes the next one"


async def test_an_incident_registered_while_its_problem_closes_does_not_join_it(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    """The close holds the problem while it waits for a locked incident; a new matching incident
    must wait for it too, then open a problem of its own rather than join a closed one."""
    agent = await headers_of(tokens, "agent1")
    supervisor = await headers_of(tokens, "supervisor1")
    async with _desk_with_rule(proxy_urls, tmp_path) as (api, category):
        first = await open_incident(api, agent, category=category)
        problem = first["problem_id"]
        locker, watcher = await admin_connection(), await admin_connection()
        try:
            locking = locker.transaction()
            await locking.start()
            await locker.execute(
                "select 1 from tickets.incidents where id = $1 for update", uuid.UUID(first["id"])
            )
            closing = asyncio.create_task(_close_problem(api, supervisor, problem))
            closer = await _until_blocked_by(watcher, locker.get_server_pid())
            registering = asyncio.create_task(open_incident(api, agent, category=category))
            await _until_blocked_by(watcher, closer)
            await locking.rollback()
            await closing
            late = await registering
        finally:
            await locker.close()
            await watcher.close()

    assert late["problem_id"] != problem
    closed = await _fetch(
        "select status from tickets.incidents where problem_id = $1", uuid.UUID(problem)
    )
    assert [r["status"] for r in closed] == ["closed"], "no open incident in a closed problem"


async def test_concurrent_incidents_about_one_new_order_open_exactly_one_problem(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, proxy_urls: dict[str, str]
) -> None:
    agent = await headers_of(tokens, "agent1")
    client = await our_client(proxy_urls["migration"], agent)
    order = await our_order(proxy_urls["migration"], agent, client["id"])
    made = await asyncio.gather(
        *(open_incident(tickets_api, agent, order=order["id"]) for _ in range(8))
    )

    problems = {m["problem_id"] for m in made}
    assert len(problems) == 1, problems
    (problem,) = problems
    assert [t for t, _ in await _events(problem)] == ["problem.created"]
    rows = await _fetch(
        "select count(*) as n from tickets.problems where order_ref = $1", order["id"]
    )
    assert rows[0]["n"] == 1
    notes = sorted(
        [h["note"] for m in made for h in await _history(m["id"]) if h["field"] == "problem"]
    )
    assert notes == ["its own new problem"] + ["joined by rule same-order"] * 7


async def test_the_list_is_newest_first_filtered_and_paged(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    older, newer = await open_incident(tickets_api, agent), await open_incident(tickets_api, agent)
    await _close_problem(tickets_api, await headers_of(tokens, "supervisor1"), older["problem_id"])

    async def ids(**params: Any) -> list[str]:
        page = await tickets_api.get(PROBLEMS, params={"limit": 200, **params}, headers=agent)
        assert page.status_code == 200, page.text
        return [p["id"] for p in page.json()["items"]]

    everything = await ids()
    assert everything.index(newer["problem_id"]) < everything.index(older["problem_id"])
    assert older["problem_id"] not in await ids(open="true")
    assert older["problem_id"] in await ids(status="closed")
    assert newer["problem_id"] not in await ids(status="closed")
    first = (await tickets_api.get(PROBLEMS, params={"limit": 1}, headers=agent)).json()
    second = await tickets_api.get(
        PROBLEMS, params={"limit": 1, "cursor": first["next_cursor"]}, headers=agent
    )
    assert second.json()["items"][0]["created_at"] <= first["items"][0]["created_at"]
    for params in ({"status": "open\x00"}, {"cursor": "bm90LWEtY3Vyc29y"}, {"limit": 0}):
        refused = await tickets_api.get(PROBLEMS, params=params, headers=agent)
        assert refused.status_code == 422, (params, refused.text)


# ---- linking by hand -------------------------------------------------------------------------


async def test_agents_link_and_unlink_incidents_by_hand(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    target = await open_incident(tickets_api, agent)
    moved = await open_incident(tickets_api, agent)
    problem, previous = target["problem_id"], moved["problem_id"]
    assert problem != previous

    link = f"{PROBLEMS}/{problem}/incidents"
    linked = await tickets_api.post(link, json={"incident": moved["key"]}, headers=agent)
    assert linked.status_code == 200, linked.text
    assert linked.json()["problem_id"] == problem
    assert linked.json()["version"] == moved["version"] + 1
    listed = await tickets_api.get(link, headers=agent)
    assert {i["id"] for i in listed.json()} == {target["id"], moved["id"]}
    again = await tickets_api.post(link, json={"incident": moved["id"]}, headers=agent)
    assert again.status_code == 200
    assert again.json()["version"] == moved["version"] + 1, "already linked: nothing changes"

    unlinked = await tickets_api.delete(f"{link}/{moved['key']}", headers=agent)
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["problem_id"] is None
    gone = await tickets_api.delete(f"{link}/{moved['key']}", headers=agent)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM_JSON

    history = [
        (h["old_value"], h["new_value"], h["note"], h["actor"])
        for h in await _history(moved["id"])
        if h["field"] == "problem"
    ]
    assert history[1:] == [
        (previous, problem, "linked by hand", "agent1"),
        (problem, None, "unlinked by hand", "agent1"),
    ]
    updates = [p for t, p in await _events(moved["id"]) if t == "incident.updated"]
    assert [(p["changed"], p["problem_id"]) for p in updates] == [
        (["problem"], problem),
        (["problem"], None),
    ]


async def test_linking_to_a_closed_problem_is_a_conflict(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    supervisor = await headers_of(tokens, "supervisor1")
    closed = await open_incident(tickets_api, agent)
    await _close_problem(tickets_api, supervisor, closed["problem_id"])
    loose = await open_incident(tickets_api, agent)

    refused = await tickets_api.post(
        f"{PROBLEMS}/{closed['problem_id']}/incidents",
        json={"incident": loose["id"]},
        headers=agent,
    )
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert refused.json()["type"].endswith("/problem-closed")
    assert "closed" in refused.json()["detail"]
    after = await tickets_api.get(f"{INCIDENTS}/{loose['id']}", headers=agent)
    assert (after.json()["problem_id"], after.json()["version"]) == (loose["problem_id"], 1)


@pytest.mark.parametrize(
    ("reference", "incident"),
    [
        ("PRB-999999999999999999", None),  # no such problem
        ("PRB-²", None),  # a digit, but not an ASCII one
        ("PRB-99999999999999999999999", None),  # beyond a bigint
        (None, "INC-999999999999999999"),  # no such incident
    ],
)
async def test_linking_what_does_not_exist_is_not_found(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, reference: str | None, incident: str | None
) -> None:
    agent = await headers_of(tokens, "agent1")
    opened = await open_incident(tickets_api, agent)
    path = f"{PROBLEMS}/{reference or opened['problem_id']}/incidents"
    response = await tickets_api.post(
        path, json={"incident": incident or opened["id"]}, headers=agent
    )
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    if reference:
        read = await tickets_api.get(f"{PROBLEMS}/{reference}", headers=agent)
        assert read.status_code == 404, read.text


# ---- who may do what -------------------------------------------------------------------------

WHO = ("anonymous", "reporter1", "agent1", "supervisor1", "service:channels")


def _incident_link(made: dict[str, Any]) -> dict[str, Any]:
    return {"incident": made["other"]["id"]}


ENDPOINTS: dict[str, tuple[str, str, Callable[[dict[str, Any]], Any] | None]] = {
    "list": ("GET", PROBLEMS, None),
    "read": ("GET", f"{PROBLEMS}/{{problem}}", None),
    "incidents": ("GET", f"{PROBLEMS}/{{problem}}/incidents", None),
    "link": ("POST", f"{PROBLEMS}/{{problem}}/incidents", _incident_link),
    "unlink": ("DELETE", f"{PROBLEMS}/{{problem}}/incidents/{{incident}}", None),
    "transitions": ("GET", f"{PROBLEMS}/{{problem}}/transitions", None),
    "move": (
        "POST",
        f"{PROBLEMS}/{{problem}}/transitions",
        lambda _: {"transition": "investigate"},
    ),
    "history": ("GET", f"{PROBLEMS}/{{problem}}/history", None),
}
READ = (401, 403, 200, 200, 200)
LINK = (401, 403, 200, 200, 403)  # linking is for agents; a service has no say in it
MOVE = (401, 403, 200, 200, 403)  # a service may call, but the workflow wants an agent
EXPECTED = {
    "list": READ,
    "read": READ,
    "incidents": READ,
    "link": LINK,
    "unlink": LINK,
    "transitions": READ,
    "move": MOVE,
    "history": READ,
}


@pytest.mark.parametrize(
    ("endpoint", "who", "status"),
    [(e, who, s) for e, statuses in EXPECTED.items() for who, s in zip(WHO, statuses, strict=True)],
)
async def test_who_may_use_each_problems_endpoint(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, endpoint: str, who: str, status: int
) -> None:
    caller = await headers_of(tokens, None if who == "anonymous" else who)
    staff = who in ("agent1", "supervisor1", "service:channels")
    opener = caller if staff else await headers_of(tokens, "agent1")
    extra = {"reporter": {"name": "Пётр Иванов"}} if who.startswith("service") else {}
    made = {
        "incident": await open_incident(tickets_api, opener, **extra),
        "other": await open_incident(tickets_api, opener, **extra),
    }
    method, template, body = ENDPOINTS[endpoint]
    path = template.format(problem=made["incident"]["problem_id"], incident=made["incident"]["id"])
    response = await tickets_api.request(
        method, path, json=body(made) if body else None, headers=caller
    )

    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
    if status == 403:
        assert response.json()["required_roles"], "a refusal names the roles that would do"
    if status == 200 and endpoint == "move":
        assert response.json()["status"] == "investigating"
    if status == 200 and endpoint == "link":
        assert response.json()["problem_id"] == made["incident"]["problem_id"]


async def test_a_reporter_sees_no_problem_even_of_their_own_incident(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    mine = await open_incident(tickets_api, reporter, title=unique("Моё"))
    assert mine["problem_id"] is not None, "reporters' incidents get problems too"
    refused = await tickets_api.get(f"{PROBLEMS}/{mine['problem_id']}", headers=reporter)
    assert refused.status_code == 403
    assert refused.json()["required_roles"] == ["agent", "service"]
