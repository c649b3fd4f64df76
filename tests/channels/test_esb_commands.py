"""The ESB on the real broker: a monitoring system opens an incident with a CloudEvent and hears
what happens to it under its own reference; duplicates make one incident; commands that cannot
be done get an error event and go to the DLQ with the reason, and are replayed after correction.
The tickets service runs in-process; the ESB consumers run directly, under a prefix of their own."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from servicedesk.channels.esb.dlq import DeadCommand, browse
from servicedesk.ops.provision import admin_dsn
from tests.channels.esb_stack import EsbStack, esb_stack
from tests.support.isolation import ROOT, TEST_BROKER_URL, TEST_DATABASE
from tests.support.tokens import TokenShop

OPS = ROOT / ".venv" / "bin" / "servicedesk-ops"
ALERT = {"title": "Disk /var at 97% on db-7", "description": "Zabbix trigger 4711 fired."}


@pytest.fixture
async def esb(tokens: TokenShop) -> AsyncIterator[EsbStack]:
    async with esb_stack(tokens) as stack:
        yield stack


def _data(message: object) -> dict[str, object]:
    return json.loads(message.body)  # type: ignore[attr-defined, no-any-return]


async def test_a_cloudevent_opens_an_incident_and_its_caller_hears_its_status(
    esb: EsbStack,
) -> None:
    caller = await esb.caller("monitoring")
    reference = f"ALERT-{uuid.uuid4().hex[:6]}"
    command_id = await caller.send("create_incident", ALERT, subject=reference)

    created = await caller.next_event("incident.created")
    assert created.headers["ce-subject"] == reference
    assert created.headers["ce-callerref"] == reference
    assert created.correlation_id == command_id
    incident = _data(created)["incident"]
    key = incident["key"]  # type: ignore[index]
    shown = (await esb.agent.get(f"/api/v1/incidents/{key}")).json()
    assert (shown["channel"], shown["title"]) == ("esb", ALERT["title"])

    started = await esb.agent.post(
        f"/api/v1/incidents/{key}/transitions", json={"transition": "start"}
    )
    assert started.status_code == 200, started.text
    changed = await caller.next_event("incident.status_changed")
    assert changed.headers["ce-subject"] == reference
    assert _data(changed)["to_status"] == "in_progress"

    said = await esb.agent.post(
        f"/api/v1/incidents/{key}/comments", json={"body": "Cleaning logs", "visibility": "public"}
    )
    assert said.status_code == 201, said.text
    commented = await caller.next_event("incident.commented")
    assert _data(commented)["body"] == "Cleaning logs"
    assert _data(commented)["reference"] == reference

    await caller.send("add_comment", {"body": "Now at 99%"}, subject=reference)
    await caller.next_event("incident.status")
    comments = (await esb.agent.get(f"/api/v1/incidents/{key}/comments")).json()
    bodies = [c["body"] for c in comments]
    assert "Now at 99%" in bodies

    resolving = await esb.agent.post(
        f"/api/v1/incidents/{key}/transitions",
        json={"transition": "resolve", "fields": {"resolution": "Rotated the logs"}},
    )
    assert resolving.status_code == 200, resolving.text
    resolved = await caller.next_event("incident.resolved")
    assert _data(resolved)["resolution"] == "Rotated the logs"
    assert resolved.headers["ce-subject"] == reference

    await caller.send("get_status", {}, subject=reference, structured=True)
    status = await caller.next_event("incident.status")
    assert _data(status)["incident"]["status"] == "resolved"  # type: ignore[index]


async def test_duplicates_make_one_incident(esb: EsbStack) -> None:
    caller = await esb.caller("monitoring")
    reference = f"ALERT-{uuid.uuid4().hex[:6]}"
    title = f"Duplicate alert {reference}"
    command_id = str(uuid.uuid4())
    for structured in (False, True, False):
        await caller.send(
            "create_incident",
            {**ALERT, "title": title},
            event_id=command_id,
            subject=reference,
            structured=structured,
        )
    await caller.next_event("incident.created")
    marker = await caller.send("get_status", {}, subject=reference)
    answer = await caller.next_event("incident.status")
    assert answer.correlation_id == marker  # the duplicates were consumed before it

    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        incidents = await connection.fetchval(
            "select count(*) from tickets.incidents where title = $1", title
        )
        followers = await connection.fetchval(
            "select count(*) from channels.esb_followers where reference = $1", reference
        )
    finally:
        await connection.close()
    assert (incidents, followers) == (1, 1)


async def _ops(esb: EsbStack, *args: str) -> str:
    """`servicedesk-ops esb dlq …` on the test vhost and this test's ESB."""
    process = await asyncio.create_subprocess_exec(
        str(OPS),
        "esb",
        "dlq",
        *args,
        "--url",
        TEST_BROKER_URL,
        "--prefix",
        esb.settings.prefix,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out
    return out.decode()


async def test_invalid_commands_go_to_the_dlq_with_the_reason_and_replay_corrected(
    esb: EsbStack, tmp_path: Path
) -> None:
    caller = await esb.caller("billing")
    ids = {
        "not-json": await caller.send("create_incident", None, body=b"{not json"),
        "schema": await caller.send("create_incident", {"title": "No description"}),
        "unknown-type": await caller.send("reboot_everything", {}),
        "unknown-incident": await caller.send(
            "add_comment", {"incident": "INC-999999999", "body": "hello"}
        ),
        "too-large": await caller.send(
            "create_incident", {**ALERT, "description": "x" * 10_000_000}
        ),
        "specversion": await caller.send(
            "create_incident", ALERT, headers={"ce-specversion": "0.3"}
        ),
    }
    await caller.send("create_incident", ALERT, headers={"ce-id": ""})  # no id at all
    ok = await caller.send("create_incident", {**ALERT, "title": "After the bad ones"})
    assert (await caller.next_event("incident.created")).correlation_id == ok  # still flowing

    reasons = {}
    for _ in range(7):
        rejected = await caller.next_event("command.rejected")
        reasons[_data(rejected)["command_id"]] = _data(rejected)["reason"]
    assert reasons[ids["not-json"]] == "malformed"
    assert reasons[ids["schema"]] == "contract"
    assert reasons[ids["unknown-type"]] == "unknown-type"
    assert reasons[ids["unknown-incident"]] == "unknown-incident"
    assert reasons[ids["too-large"]] == "too-large"
    assert reasons[ids["specversion"]] == "malformed"

    dead = await browse(esb.connection, esb.names)
    assert len(dead) == 7
    by_id = {d.id: d for d in dead}
    assert by_id[ids["schema"]].reason == "contract"
    assert "description" in by_id[ids["schema"]].detail
    assert by_id[ids["schema"]].routing_key == "billing.create_incident"
    assert len(await browse(esb.connection, esb.names)) == 7  # browsing leaves them there

    listed = await _ops(esb, "list")
    assert ids["schema"] in listed
    assert "contract" in listed
    assert "Field required" in await _ops(esb, "show", ids["schema"])
    corrected = tmp_path / "corrected.json"
    corrected.write_text(json.dumps({"title": "No description", "description": "Now with one"}))
    assert "replayed" in await _ops(esb, "replay", ids["schema"], "--data", str(corrected))
    created = await caller.next_event("incident.created")
    assert created.correlation_id == ids["schema"]
    assert _data(created)["incident"]["title"] == "No description"  # type: ignore[index]
    assert len(await browse(esb.connection, esb.names)) == 6


async def test_another_system_follows_an_incident_under_its_own_reference(esb: EsbStack) -> None:
    monitoring, billing = await esb.caller("monitoring"), await esb.caller("billing")
    await monitoring.send("create_incident", ALERT, subject=f"ALERT-{uuid.uuid4().hex[:6]}")
    key = _data(await monitoring.next_event("incident.created"))["incident"]["key"]  # type: ignore[index]

    await billing.send("attach_reference", {"incident": key, "reference": "BILL-77"})
    followed = await billing.next_event("incident.status")
    assert followed.headers["ce-subject"] == "BILL-77"
    await esb.agent.post(f"/api/v1/incidents/{key}/transitions", json={"transition": "start"})
    for caller, reference in ((billing, "BILL-77"), (monitoring, None)):
        changed = await caller.next_event("incident.status_changed")
        assert reference is None or changed.headers["ce-subject"] == reference


async def test_a_routing_key_of_no_known_caller_goes_to_the_dlq_only(esb: EsbStack) -> None:
    intruder = await esb.caller("intruder")
    command_id = await intruder.send("create_incident", ALERT)
    dead: dict[str, DeadCommand] = {}
    for _ in range(100):
        dead = {d.id: d for d in await browse(esb.connection, esb.names)}
        if dead:
            break
        await asyncio.sleep(0.2)
    assert dead[command_id].reason == "unknown-caller"
    assert intruder.heard.empty()  # no route of its own to tell it on
