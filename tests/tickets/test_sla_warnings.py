"""SLA warnings on the real stack, with targets of seconds: a target warns once when the policy's
share of its working time is used (not before), never when met or breached first, later by a
pause; the warn-at times follow the due times, and old incidents get theirs when the service
starts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from servicedesk.contracts import CONTRACTS
from servicedesk.contracts.tickets import IncidentSlaBreachedV1, IncidentSlaWarningV1
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop
from tests.tickets.factories import edit_incident, headers_of, open_incident
from tests.tickets.sla_clock import (
    CRITICAL,
    WATCH_S,
    at,
    breaches,
    incident_row,
    row_until,
    sla_desk,
    sla_events,
    sleep_past,
    transition,
    warnings,
)

WARNED = "incident.sla_warning"
BREACHED = "incident.sla_breached"


async def _sla_history(incident_id: str) -> list[tuple[str, str]]:
    connection = await admin_connection()
    try:
        rows = await connection.fetch(
            "select field, actor from tickets.history where ticket_id = $1"
            " and field like 'sla_%' order by id",
            uuid.UUID(incident_id),
        )
    finally:
        await connection.close()
    return [(r["field"], r["actor"]) for r in rows]


async def _set(incident_id: str, assignments: str) -> None:
    """Changes the incident's row behind the service's back (one statement)."""
    connection = await admin_connection()
    try:
        await connection.execute(
            f"update tickets.incidents set {assignments} where id = $1", uuid.UUID(incident_id)
        )
    finally:
        await connection.close()


async def test_a_target_warns_once_at_80_percent_then_breaches(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {"critical": {"response": "5s", "resolution": "1h"}}
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        created, due = at(incident["created_at"]), at(incident["response_due_at"])
        row = await incident_row(incident["id"])
        assert row["response_warn_at"] == created + timedelta(seconds=4), "80% of 5s"
        assert row["resolution_warn_at"] == created + timedelta(minutes=48), "80% of 1h"

        await sleep_past(row["response_warn_at"], margin_s=-2 * WATCH_S)
        assert (await incident_row(incident["id"]))["response_warned_at"] is None, "not before"
        assert await sla_events(incident["id"]) == []

        row = await row_until(incident["id"], lambda r: r["response_warned_at"] is not None)
        assert row["response_warn_at"] <= row["response_warned_at"] < row["response_due_at"]
        assert row["response_breached_at"] is None
        [(name, payload)] = await sla_events(incident["id"])
        assert name == WARNED
        warning = IncidentSlaWarningV1.model_validate(payload)  # strict: nothing undocumented
        assert CONTRACTS.validate_incoming(IncidentSlaWarningV1.contract.type, payload)
        assert (warning.key, warning.priority) == (incident["key"], "critical")
        assert warning.targets == ["response"]
        assert (warning.response_due_at, warning.resolution_due_at) == (due, None)

        row = await row_until(incident["id"], lambda r: r["response_breached_at"] is not None)
        assert row["response_breached_at"] >= due
        await asyncio.sleep(4 * WATCH_S)
        events = await sla_events(incident["id"])
        assert [name for name, _ in events] == [WARNED, BREACHED], "once each, in order"
        breach = IncidentSlaBreachedV1.model_validate(events[1][1])
        assert (breach.targets, breach.response_due_at, breach.resolution_due_at) == (
            ["response"],
            due,
            None,
        )
    row = await incident_row(incident["id"])
    assert (row["resolution_warned_at"], row["resolution_breached_at"]) == (None, None)
    assert await _sla_history(incident["id"]) == [
        ("sla_response_warned", "system"),
        ("sla_response_breached", "system"),
    ]


async def test_a_target_met_before_its_warning_never_warns(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {"critical": {"response": "2s", "resolution": "5s"}}
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        answered = await open_incident(api, agent, **CRITICAL)
        await transition(api, agent, answered, "start")
        resolved = await open_incident(api, agent, **CRITICAL)
        resolved = await transition(api, agent, resolved, "resolve", resolution="Rebooted")

        row = await row_until(answered["id"], lambda r: r["resolution_warned_at"] is not None)
        assert row["response_warned_at"] is None, "answered before 80% of its target"
        await sleep_past(at(resolved["resolution_due_at"]))
    assert await warnings(answered["id"]) == ["resolution"]
    assert await warnings(resolved["id"]) == []
    assert await breaches(resolved["id"]) == []
    row = await incident_row(resolved["id"])
    assert (row["response_warned_at"], row["resolution_warned_at"]) == (None, None)


async def test_waiting_for_the_reporter_moves_the_warning_later(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {"critical": {"response": "1h", "resolution": "4s"}}
    async with sla_desk(proxy_urls, tmp_path, sla, sla_warning_at=0.5) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        await transition(api, agent, incident, "start")
        waiting = await transition(api, agent, incident, "ask_reporter", comment="Which printer?")
        paused_at = at(waiting["sla_paused_at"])
        row = await incident_row(incident["id"])
        warn, due = row["resolution_warn_at"], row["resolution_due_at"]
        assert warn == at(incident["created_at"]) + timedelta(seconds=2), "the policy's share"

        await sleep_past(warn)
        row = await incident_row(incident["id"])
        assert row["resolution_warned_at"] is None, "no warning while the clock stands"
        assert await sla_events(incident["id"]) == []

        resumed = await transition(api, agent, incident, "resume")
        pause = at(resumed["status_changed_at"]) - paused_at
        row = await incident_row(incident["id"])
        assert row["resolution_warn_at"] == warn + pause, "later by the pause, exactly"
        assert row["resolution_due_at"] == due + pause
        assert row["resolution_warn_at"] > datetime.now(UTC), "time is left before the warning"

        row = await row_until(incident["id"], lambda r: r["resolution_warned_at"] is not None)
    assert row["resolution_warn_at"] <= row["resolution_warned_at"] < row["resolution_due_at"]
    assert await warnings(incident["id"]) == ["resolution"]
    [(_, payload)] = await sla_events(incident["id"])
    assert at(payload["resolution_due_at"]) == due + pause


async def test_a_target_found_overdue_unwarned_just_breaches(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    """As when the service was down through the warning: no late warning, only the breach."""
    agent = await headers_of(tokens, "agent1")
    sla = {"critical": {"response": "1h", "resolution": "2h"}}
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        await _set(
            incident["id"],
            "response_warn_at = now() - interval '2 seconds',"
            " response_due_at = now() - interval '1 second'",
        )
        row = await row_until(incident["id"], lambda r: r["response_breached_at"] is not None)
        await asyncio.sleep(2 * WATCH_S)
    assert row["response_warned_at"] is None
    assert [name for name, _ in await sla_events(incident["id"])] == [BREACHED]
    assert await _sla_history(incident["id"]) == [("sla_response_breached", "system")]


async def test_the_warn_at_times_follow_a_new_priority_and_a_reopening(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {
        "medium": {"response": "1h", "resolution": "10h"},
        "high": {"response": "2h", "resolution": "1d"},
    }
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        incident = await open_incident(api, agent)
        before = await incident_row(incident["id"])
        edited = await edit_incident(api, agent, incident, urgency="high")
        assert edited.status_code == 200, edited.text
        row = await incident_row(incident["id"])
        assert row["response_warn_at"] == before["response_warn_at"] + timedelta(minutes=48)
        assert row["resolution_warn_at"] == before["resolution_warn_at"] + timedelta(hours=11.2)
        assert row["resolution_due_at"] - row["resolution_warn_at"] == timedelta(hours=4.8)

        resolved = await transition(api, agent, edited.json(), "resolve", resolution="Done")
        await asyncio.sleep(0.5)
        reopened = await transition(api, agent, resolved, "reopen", reason="Broke again")
        off = at(reopened["status_changed_at"]) - at(resolved["resolved_at"])
        moved = await incident_row(incident["id"])
    assert moved["resolution_warn_at"] == row["resolution_warn_at"] + off, "resolved time"
    assert moved["response_warn_at"] == row["response_warn_at"], "answered: stays"


async def test_open_incidents_from_before_warnings_get_warn_at_times_at_start(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {"critical": {"response": "1h", "resolution": "2h"}}
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        fresh = await open_incident(api, agent, **CRITICAL)
        answered = await open_incident(api, agent, **CRITICAL)
        await transition(api, agent, answered, "start")
        expected = {i["id"]: await incident_row(i["id"]) for i in (fresh, answered)}
        for incident in (fresh, answered):
            await _set(incident["id"], "response_warn_at = null, resolution_warn_at = null")

    async with sla_desk(proxy_urls, tmp_path, sla):
        row = await row_until(fresh["id"], lambda r: r["resolution_warn_at"] is not None)
    assert row["response_warn_at"] == expected[fresh["id"]]["response_warn_at"]
    assert row["resolution_warn_at"] == expected[fresh["id"]]["resolution_warn_at"]
    row = await incident_row(answered["id"])
    assert row["response_warn_at"] is None, "answered: no warning to come"
    assert row["resolution_warn_at"] == expected[answered["id"]]["resolution_warn_at"]
