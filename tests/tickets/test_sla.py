"""SLA clocks on the real stack, with targets of seconds: breaches flagged once by the watcher,
paused while waiting for the reporter, stopped by resolving, restarted by reopening, and moved
by a change of priority."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml

from servicedesk.tickets.app import create_app
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import edit_incident, headers_of, open_incident

INCIDENTS = "/api/v1/incidents"
SHIPPED_POLICY = Path("src/servicedesk/tickets/config/policy.yaml")
CRITICAL = {"impact": "high", "urgency": "high"}
TINY = {"critical": {"response": "1s", "resolution": "2s"}}
WATCH_S = 0.3  # tickets_settings' sla_check_interval_s


def _policy_file(folder: Path, sla: dict[str, dict[str, str]]) -> Path:
    policy = yaml.safe_load(SHIPPED_POLICY.read_text(encoding="utf-8"))
    policy["sla"] |= sla
    path = folder / f"policy-{uuid.uuid4().hex[:8]}.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


@asynccontextmanager
async def _desk(
    proxy_urls: dict[str, str], folder: Path, sla: dict[str, dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A tickets app whose policy has these SLA targets (the shipped ones for the rest)."""
    path = _policy_file(folder, sla)
    async with serve(
        create_app(tickets_settings(proxy_urls["migration"], policy_file=path))
    ) as api:
        yield api


async def _row(incident_id: str) -> asyncpg.Record:
    connection = await admin_connection()
    try:
        row = await connection.fetchrow(
            "select * from tickets.incidents where id = $1", uuid.UUID(incident_id)
        )
    finally:
        await connection.close()
    assert row is not None
    return row


async def _until(
    incident_id: str, ok: Callable[[asyncpg.Record], bool], timeout_s: float = 6
) -> asyncpg.Record:
    deadline = time.monotonic() + timeout_s
    while True:
        row = await _row(incident_id)
        if ok(row):
            return row
        assert time.monotonic() < deadline, f"still {dict(row)}"
        await asyncio.sleep(0.1)


async def _breaches(incident_id: str) -> list[str]:
    """The targets of the incident's incident.sla_breached events, in order."""
    connection = await admin_connection()
    try:
        rows = await connection.fetch(
            "select payload::text from tickets.outbox where aggregate_id = $1"
            " and event_type = 'incident.sla_breached' order by seq",
            incident_id,
        )
    finally:
        await connection.close()
    return [t for r in rows for t in json.loads(r["payload"])["targets"]]


async def _sleep_past(moment: datetime, margin_s: float = 3 * WATCH_S) -> None:
    """Until a few watcher rounds after the moment."""
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + margin_s)


async def _moved(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    incident: dict[str, Any],
    transition: str,
    **fields: str,
) -> dict[str, Any]:
    response = await api.post(
        f"{INCIDENTS}/{incident['id']}/transitions",
        json={"transition": transition, "fields": fields},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_an_overdue_incident_is_flagged_once_per_target(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with _desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        assert incident["priority"] == "critical"
        created = _at(incident["created_at"])
        assert _at(incident["response_due_at"]) == created + timedelta(seconds=1)
        assert _at(incident["resolution_due_at"]) == created + timedelta(seconds=2)

        row = await _until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
        assert row["response_breached_at"] >= row["response_due_at"]
        assert row["resolution_breached_at"] >= row["resolution_due_at"]
        deadline = time.monotonic() + 5
        while True:
            read = (await api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)).json()
            if read["sla_breached"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        assert read["sla_breached"] is True
        assert read["resolution_breached_at"] is not None

        assert sorted(await _breaches(incident["id"])) == ["resolution", "response"]
        await asyncio.sleep(4 * WATCH_S)
        assert sorted(await _breaches(incident["id"])) == ["resolution", "response"], "once only"

    connection = await admin_connection()
    try:
        history = await connection.fetch(
            "select field, actor from tickets.history where ticket_id = $1"
            " and field like 'sla_%' order by id",
            uuid.UUID(incident["id"]),
        )
    finally:
        await connection.close()
    assert [(h["field"], h["actor"]) for h in history] == [
        ("sla_response_breached", "system"),
        ("sla_resolution_breached", "system"),
    ]


async def test_waiting_for_the_reporter_pauses_the_clock(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with _desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        await _moved(api, agent, incident, "start")
        waiting = await _moved(api, agent, incident, "ask_reporter", comment="Which printer?")
        paused_at = _at(waiting["sla_paused_at"])
        due = _at(waiting["resolution_due_at"])
        assert due == _at(incident["resolution_due_at"]), "a pause moves nothing until it ends"

        await _sleep_past(due)
        row = await _row(incident["id"])
        assert row["resolution_breached_at"] is None, "no breach while the clock stands"
        assert row["response_breached_at"] is None, "start was the response"
        assert await _breaches(incident["id"]) == []

        resumed = await _moved(api, agent, incident, "resume")
        resumed_at = _at(resumed["status_changed_at"])
        assert resumed["sla_paused_at"] is None
        moved_due = _at(resumed["resolution_due_at"])
        assert moved_due == due + (resumed_at - paused_at), "later by the pause, exactly"
        assert moved_due - due >= timedelta(seconds=2), "the pause lasted past the first due time"
        assert moved_due > datetime.now(UTC), "time is left on the clock"

        row = await _until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
    assert row["resolution_breached_at"] >= moved_due, "the clock ran on after the pause"
    assert row["response_breached_at"] is None
    assert await _breaches(incident["id"]) == ["resolution"]


async def test_resolving_stops_the_clock_and_reopening_starts_it_again(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with _desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        resolved = await _moved(api, agent, incident, "resolve", resolution="Replaced the cable")
        resolved_at = _at(resolved["resolved_at"])
        assert resolved["responded_at"] == resolved["resolved_at"], "resolving is a response too"
        due = _at(resolved["resolution_due_at"])

        await _sleep_past(due)
        row = await _row(incident["id"])
        assert (row["response_breached_at"], row["resolution_breached_at"]) == (None, None)
        assert await _breaches(incident["id"]) == []

        reopened = await _moved(api, agent, incident, "reopen", reason="It broke again")
        reopened_at = _at(reopened["status_changed_at"])
        assert reopened["resolved_at"] is None
        moved_due = _at(reopened["resolution_due_at"])
        assert moved_due == due + (reopened_at - resolved_at), "the resolved time does not count"
        assert moved_due > datetime.now(UTC)

        row = await _until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
    assert row["resolution_breached_at"] >= moved_due
    assert row["response_breached_at"] is None
    assert await _breaches(incident["id"]) == ["resolution"]


async def test_a_new_priority_retargets_the_due_times(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {
        "medium": {"response": "1h", "resolution": "10h"},
        "high": {"response": "2s", "resolution": "1d"},
    }
    async with _desk(proxy_urls, tmp_path, sla) as api:
        answered = await open_incident(api, agent)
        await _moved(api, agent, answered, "start")
        incident = await open_incident(api, agent)
        assert incident["priority"] == "medium"
        edited = await edit_incident(api, agent, incident, urgency="high")
        assert edited.status_code == 200, edited.text
        body = edited.json()
        assert body["priority"] == "high"
        assert _at(body["response_due_at"]) == _at(incident["response_due_at"]) + timedelta(
            seconds=2
        ) - timedelta(hours=1)
        assert _at(body["resolution_due_at"]) == _at(incident["resolution_due_at"]) + timedelta(
            days=1
        ) - timedelta(hours=10)

        started = (await api.get(f"{INCIDENTS}/{answered['id']}", headers=agent)).json()
        moved = await edit_incident(api, agent, started, urgency="high")
        assert moved.status_code == 200, moved.text
        assert moved.json()["response_due_at"] == started["response_due_at"], "already answered"
        assert _at(moved.json()["resolution_due_at"]) == _at(
            started["resolution_due_at"]
        ) + timedelta(hours=14)

        row = await _until(incident["id"], lambda r: r["response_breached_at"] is not None)
    assert row["response_breached_at"] >= _at(body["response_due_at"])
    assert row["resolution_breached_at"] is None
    assert await _breaches(incident["id"]) == ["response"]
    assert await _breaches(answered["id"]) == []
