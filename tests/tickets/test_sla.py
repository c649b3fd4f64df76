"""SLA clocks on the real stack, with targets of seconds: breaches flagged once by the watcher,
paused while waiting for the reporter, stopped by resolving, restarted by reopening, and moved
by a change of priority."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop
from tests.tickets.factories import INCIDENTS, edit_incident, headers_of, open_incident
from tests.tickets.sla_clock import (
    CRITICAL,
    WATCH_S,
    at,
    breaches,
    incident_row,
    row_until,
    sla_desk,
    sleep_past,
    transition,
)

TINY = {"critical": {"response": "1s", "resolution": "2s"}}


async def test_an_overdue_incident_is_flagged_once_per_target(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with sla_desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        assert incident["priority"] == "critical"
        created = at(incident["created_at"])
        assert at(incident["response_due_at"]) == created + timedelta(seconds=1)
        assert at(incident["resolution_due_at"]) == created + timedelta(seconds=2)

        row = await row_until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
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

        assert sorted(await breaches(incident["id"])) == ["resolution", "response"]
        await asyncio.sleep(4 * WATCH_S)
        assert sorted(await breaches(incident["id"])) == ["resolution", "response"], "once only"

    connection = await admin_connection()
    try:
        history = await connection.fetch(
            "select field, actor from tickets.history where ticket_id = $1"
            " and field like 'sla_%_breached' order by id",
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
    async with sla_desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        await transition(api, agent, incident, "start")
        waiting = await transition(api, agent, incident, "ask_reporter", comment="Which printer?")
        paused_at = at(waiting["sla_paused_at"])
        due = at(waiting["resolution_due_at"])
        assert due == at(incident["resolution_due_at"]), "a pause moves nothing until it ends"

        await sleep_past(due)
        row = await incident_row(incident["id"])
        assert row["resolution_breached_at"] is None, "no breach while the clock stands"
        assert row["response_breached_at"] is None, "start was the response"
        assert await breaches(incident["id"]) == []

        resumed = await transition(api, agent, incident, "resume")
        resumed_at = at(resumed["status_changed_at"])
        assert resumed["sla_paused_at"] is None
        moved_due = at(resumed["resolution_due_at"])
        assert moved_due == due + (resumed_at - paused_at), "later by the pause, exactly"
        assert moved_due - due >= timedelta(seconds=2), "the pause lasted past the first due time"
        assert moved_due > datetime.now(UTC), "time is left on the clock"

        row = await row_until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
    assert row["resolution_breached_at"] >= moved_due, "the clock ran on after the pause"
    assert row["response_breached_at"] is None
    assert await breaches(incident["id"]) == ["resolution"]


async def test_resolving_stops_the_clock_and_reopening_starts_it_again(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    async with sla_desk(proxy_urls, tmp_path, TINY) as api:
        incident = await open_incident(api, agent, **CRITICAL)
        resolved = await transition(
            api, agent, incident, "resolve", resolution="Replaced the cable"
        )
        resolved_at = at(resolved["resolved_at"])
        assert resolved["responded_at"] == resolved["resolved_at"], "resolving is a response too"
        due = at(resolved["resolution_due_at"])

        await sleep_past(due)
        row = await incident_row(incident["id"])
        assert (row["response_breached_at"], row["resolution_breached_at"]) == (None, None)
        assert await breaches(incident["id"]) == []

        reopened = await transition(api, agent, incident, "reopen", reason="It broke again")
        reopened_at = at(reopened["status_changed_at"])
        assert reopened["resolved_at"] is None
        moved_due = at(reopened["resolution_due_at"])
        assert moved_due == due + (reopened_at - resolved_at), "the resolved time does not count"
        assert moved_due > datetime.now(UTC)

        row = await row_until(incident["id"], lambda r: r["resolution_breached_at"] is not None)
    assert row["resolution_breached_at"] >= moved_due
    assert row["response_breached_at"] is None
    assert await breaches(incident["id"]) == ["resolution"]


async def test_a_new_priority_retargets_the_due_times(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    agent = await headers_of(tokens, "agent1")
    sla = {
        "medium": {"response": "1h", "resolution": "10h"},
        "high": {"response": "2s", "resolution": "1d"},
    }
    async with sla_desk(proxy_urls, tmp_path, sla) as api:
        answered = await open_incident(api, agent)
        await transition(api, agent, answered, "start")
        incident = await open_incident(api, agent)
        assert incident["priority"] == "medium"
        edited = await edit_incident(api, agent, incident, urgency="high")
        assert edited.status_code == 200, edited.text
        body = edited.json()
        assert body["priority"] == "high"
        assert at(body["response_due_at"]) == at(incident["response_due_at"]) + timedelta(
            seconds=2
        ) - timedelta(hours=1)
        assert at(body["resolution_due_at"]) == at(incident["resolution_due_at"]) + timedelta(
            days=1
        ) - timedelta(hours=10)

        started = (await api.get(f"{INCIDENTS}/{answered['id']}", headers=agent)).json()
        moved = await edit_incident(api, agent, started, urgency="high")
        assert moved.status_code == 200, moved.text
        assert moved.json()["response_due_at"] == started["response_due_at"], "already answered"
        assert at(moved.json()["resolution_due_at"]) == at(
            started["resolution_due_at"]
        ) + timedelta(hours=14)

        row = await row_until(incident["id"], lambda r: r["response_breached_at"] is not None)
    assert row["response_breached_at"] >= at(body["response_due_at"])
    assert row["resolution_breached_at"] is None
    assert await breaches(incident["id"]) == ["response"]
    assert await breaches(answered["id"]) == []
