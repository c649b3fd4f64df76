"""Editing incidents: optimistic concurrency with ETags, priority and SLA retargeting, one
history row per changed field, who may edit, and the events each change leaves in the outbox."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from servicedesk.tickets.policy import load_policy
from tests.support.tokens import TokenShop
from tests.tickets.factories import (
    INCIDENTS,
    PROBLEM_JSON,
    directory_user_id,
    edit_incident,
    headers_of,
    open_incident,
    our_client,
    outbox_of,
    subject_of,
    unique,
)

POLICY = load_policy()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    return [e["field"] for e in response.json()["errors"]]


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


# ---- editing --------------------------------------------------------------------------------


async def test_edits_need_the_current_etag(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent)
    url = f"{INCIDENTS}/{incident['id']}"
    missing = await tickets_api.patch(url, json={"title": "new"}, headers=agent)
    assert missing.status_code == 428, missing.text
    assert missing.headers["content-type"] == PROBLEM_JSON
    edited = await edit_incident(tickets_api, agent, incident, title=unique("Renamed"))
    assert edited.status_code == 200, edited.text
    assert (edited.json()["version"], edited.headers["etag"]) == (2, '"2"')
    stale = await edit_incident(tickets_api, agent, incident, title=unique("Lost update"))
    assert stale.status_code == 412, stale.text
    assert stale.headers["etag"] == '"2"'
    assert stale.json()["current_version"] == 2
    for tag in ("*", '"two"', "W/"):
        odd = await tickets_api.patch(url, json={"title": "x"}, headers={**agent, "If-Match": tag})
        assert odd.status_code == 412, tag
    weak = await tickets_api.patch(
        url, json={"description": "weak tag"}, headers={**agent, "If-Match": 'W/"2"'}
    )
    assert weak.status_code == 200, weak.text
    current = (await tickets_api.get(url, headers=agent)).json()
    assert (current["title"], current["version"]) == (edited.json()["title"], 3)


async def test_of_two_concurrent_edits_of_one_version_one_wins(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent)
    titles = [unique("Racer"), unique("Racer")]
    answers = await asyncio.gather(
        *(edit_incident(tickets_api, agent, incident, title=title) for title in titles)
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()
    current = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)).json()
    assert (current["title"], current["version"]) == (winner["title"], 2)
    history = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=agent)).json()
    assert [h["new_value"] for h in history if h["field"] == "title"] == [winner["title"]]


async def test_urgency_recomputes_priority_and_retargets_the_sla(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent, impact="medium", urgency="medium")
    edited = await edit_incident(tickets_api, agent, incident, urgency="high")
    assert edited.status_code == 200, edited.text
    after = edited.json()
    assert (after["urgency"], after["priority"], after["version"]) == ("high", "high", 2)
    old, new = POLICY.sla["medium"], POLICY.sla["high"]
    shift = at(after["response_due_at"]) - at(incident["response_due_at"])
    assert shift == new.response - old.response
    shift = at(after["resolution_due_at"]) - at(incident["resolution_due_at"])
    assert shift == new.resolution - old.resolution
    assert (after["updated_by"], after["created_at"]) == ("agent1", incident["created_at"])

    history = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=agent)
    assert history.status_code == 200, history.text
    changed = {(h["field"], h["old_value"], h["new_value"]) for h in history.json()}
    assert {("urgency", "medium", "high"), ("priority", "medium", "high")} <= changed
    assert all(h["actor"] == "agent1" for h in history.json())


async def test_a_met_response_target_stays_when_the_priority_changes(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent, impact="high", urgency="high")
    said = await tickets_api.post(
        f"{INCIDENTS}/{incident['id']}/comments", json={"body": "On it"}, headers=agent
    )
    assert said.status_code == 201, said.text
    current = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)).json()
    assert current["responded_at"] is not None
    edited = await edit_incident(tickets_api, agent, current, impact="low", urgency="low")
    assert edited.status_code == 200, edited.text
    after = edited.json()
    assert after["priority"] == "low"
    assert after["response_due_at"] == incident["response_due_at"], "already met"
    old, new = POLICY.sla["critical"], POLICY.sla["low"]
    shift = at(after["resolution_due_at"]) - at(incident["resolution_due_at"])
    assert shift == new.resolution - old.resolution


async def test_each_changed_field_is_one_history_row(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], proxy_urls: dict[str, str]
) -> None:
    client = await our_client(proxy_urls["migration"], agent)
    agent2 = await directory_user_id(tickets_api, agent, "agent2")
    incident = await open_incident(tickets_api, agent, category="software")
    new_title = unique("Edited")
    edited = await edit_incident(
        tickets_api,
        agent,
        incident,
        title=new_title,
        category="network",
        client=client["id"],
        assignee=agent2,
        impact="medium",  # unchanged: no row
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["client_name"], edited.json()["assignee_username"]) == (
        client["display_name"],
        "agent2",
    )
    history = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=agent)).json()
    rows = {h["field"]: (h["old_value"], h["new_value"]) for h in history if h["note"] is None}
    assert rows == {
        "title": (incident["title"], new_title),
        "category": ("software", "network"),
        "client_ref": (None, client["id"]),
        "client_name": (None, client["display_name"]),
        "assignee_username": (None, "agent2"),
    }
    cleared = await edit_incident(tickets_api, agent, edited.json(), client=None, assignee=None)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["client_ref"], cleared.json()["assignee_id"]) == (None, None)
    assert cleared.json()["version"] == 3
    same = await edit_incident(tickets_api, agent, cleared.json(), title=new_title)
    assert same.json()["version"] == 3, "nothing changed, no new version"


async def test_edits_are_checked_like_registration(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], tokens: TokenShop
) -> None:
    incident = await open_incident(tickets_api, agent)
    cases: dict[str, Any] = {
        "category": "no-such-category",
        "assignee": await subject_of(tokens, "reporter1"),
        "group": str(uuid.uuid4()),
        "client": str(uuid.uuid4()),
        "title": "",
        "urgency": "extreme",
    }
    for field, value in cases.items():
        response = await edit_incident(tickets_api, agent, incident, **{field: value})
        assert fields_of(response) == [field], field
    for field in ("title", "description", "category", "impact", "urgency"):
        response = await edit_incident(tickets_api, agent, incident, **{field: None})
        assert response.status_code == 422, field
    unchanged = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)).json()
    assert unchanged["version"] == 1


async def test_reporters_do_not_edit(
    tickets_api: httpx.AsyncClient, reporter: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, reporter)
    response = await edit_incident(tickets_api, reporter, incident, title=unique("Mine"))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


# ---- events ---------------------------------------------------------------------------------


async def test_created_updated_and_commented_events_in_the_outbox(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent)
    edited = await edit_incident(tickets_api, agent, incident, urgency="low")
    assert edited.status_code == 200, edited.text
    said = await tickets_api.post(
        f"{INCIDENTS}/{incident['id']}/comments",
        json={"body": "Looking into it", "visibility": "internal"},
        headers=agent,
    )
    assert said.status_code == 201, said.text
    events = await outbox_of(incident["id"])
    assert [kind for kind, _ in events] == [
        "incident.created",
        "incident.updated",
        "incident.commented",
    ]
    created, updated, commented = (payload for _, payload in events)
    assert all(p["key"] == incident["key"] and p["id"] == incident["id"] for _, p in events)
    assert (created["status"], created["priority"], created["version"]) == ("new", "medium", 1)
    assert created["problem_id"] == incident["problem_id"]
    assert created["problem_key"]
    assert created["reporter"]["username"] == "agent1"
    assert (updated["changed"], updated["priority"], updated["version"]) == (
        ["urgency", "priority"],
        "low",
        2,
    )
    assert (commented["comment_id"], commented["visibility"]) == (said.json()["id"], "internal")
    assert commented["author"] == "agent1"
