"""Helpers of the SLA tests: a tickets app with its own SLA targets, the incident's row as the
watch leaves it, its SLA events, and waiting on the clock."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml

from servicedesk.tickets.app import create_app
from tests.support.apps import serve
from tests.support.infra import admin_connection
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import INCIDENTS

SHIPPED_POLICY = Path("src/servicedesk/tickets/config/policy.yaml")
CRITICAL = {"impact": "high", "urgency": "high"}
WATCH_S = 0.3  # tickets_settings' sla_check_interval_s
Targets = dict[str, dict[str, str]]


def policy_file(folder: Path, sla: Targets, **changes: object) -> Path:
    """The shipped policy with these SLA targets (the shipped ones for the rest) and changes."""
    policy = yaml.safe_load(SHIPPED_POLICY.read_text(encoding="utf-8"))
    policy["sla"] |= sla
    policy |= changes
    path = folder / f"policy-{uuid.uuid4().hex[:8]}.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


# Targets the watch has still to warn of or flag breached (the test database keeps the
# incidents of earlier sessions, whose clocks ran on while no watch did).
_BEHIND = """
select count(*) from tickets.incidents where sla_paused_at is null and (
    (responded_at is null and response_breached_at is null
        and (response_due_at < now() or response_warned_at is null and response_warn_at < now()))
    or (resolved_at is null and resolution_breached_at is null
        and (resolution_due_at < now()
             or resolution_warned_at is null and resolution_warn_at < now())))
"""


async def watch_caught_up(timeout_s: float = 300) -> None:
    """Until the SLA watches have worked off what the test database kept for them."""
    deadline = time.monotonic() + timeout_s
    connection = await admin_connection()
    try:
        while (behind := await connection.fetchval(_BEHIND)) > 0:
            assert time.monotonic() < deadline, f"the SLA watch is {behind} targets behind"
            await asyncio.sleep(WATCH_S)
    finally:
        await connection.close()


@asynccontextmanager
async def sla_desk(
    proxy_urls: dict[str, str], folder: Path, sla: Targets, **changes: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A tickets app (and its SLA watch) whose policy has these SLA targets and changes, once
    the watch has nothing left from before."""
    path = policy_file(folder, sla, **changes)
    async with serve(
        create_app(tickets_settings(proxy_urls["migration"], policy_file=path))
    ) as api:
        await watch_caught_up()
        yield api


async def incident_row(incident_id: str) -> asyncpg.Record:
    connection = await admin_connection()
    try:
        row = await connection.fetchrow(
            "select * from tickets.incidents where id = $1", uuid.UUID(incident_id)
        )
    finally:
        await connection.close()
    assert row is not None
    return row


async def row_until(
    incident_id: str, ok: Callable[[asyncpg.Record], bool], timeout_s: float = 6
) -> asyncpg.Record:
    deadline = time.monotonic() + timeout_s
    while True:
        row = await incident_row(incident_id)
        if ok(row):
            return row
        assert time.monotonic() < deadline, f"still {dict(row)}"
        await asyncio.sleep(0.1)


async def sla_events(incident_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, payload) of the incident's incident.sla_* events, in order."""
    connection = await admin_connection()
    try:
        rows = await connection.fetch(
            "select event_type, payload::text from tickets.outbox where aggregate_id = $1"
            " and event_type like 'incident.sla\\_%' order by seq",
            incident_id,
        )
    finally:
        await connection.close()
    return [(r["event_type"], json.loads(r["payload"])) for r in rows]


async def breaches(incident_id: str) -> list[str]:
    """The targets of the incident's incident.sla_breached events, in order."""
    events = await sla_events(incident_id)
    return [t for name, p in events if name == "incident.sla_breached" for t in p["targets"]]


async def warnings(incident_id: str) -> list[str]:
    """The targets of the incident's incident.sla_warning events, in order."""
    events = await sla_events(incident_id)
    return [t for name, p in events if name == "incident.sla_warning" for t in p["targets"]]


async def sleep_past(moment: datetime, margin_s: float = 3 * WATCH_S) -> None:
    """Until a few watcher rounds after the moment."""
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + margin_s)


async def transition(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    incident: dict[str, Any],
    name: str,
    **fields: str,
) -> dict[str, Any]:
    response = await api.post(
        f"{INCIDENTS}/{incident['id']}/transitions",
        json={"transition": name, "fields": fields},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)
