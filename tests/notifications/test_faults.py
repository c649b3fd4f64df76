"""Faults on the live stack: the notifications service killed in the middle of a burst loses
and repeats nothing; the channels service down for a while delays a Telegram message, which
then arrives once."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import asyncpg
import httpx

from servicedesk.ops.provision import admin_dsn
from tests.channels.telegram_person import TelegramPerson
from tests.notifications.conftest import Desk, eventually
from tests.notifications.test_live import _assign, _comment, _incident
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack, channels_environment, notifications_environment
from tests.support.processes import RunningService, start_service, wait_ready

BURST = 40


async def _restart(stack: LiveStack, name: str, environment: dict[str, str]) -> None:
    old = next(s for s in stack.started if s.name == name)
    restarted = start_service(name, old.port, environment)
    stack.started[stack.started.index(old)] = restarted
    assert (await wait_ready(restarted)).status_code == 200


def _kill(stack: LiveStack, name: str) -> RunningService:
    service = next(s for s in stack.started if s.name == name)
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)
    return service


async def _rows(sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def test_killed_mid_burst_the_service_loses_and_repeats_nothing(
    desk: Desk, live_stack: LiveStack
) -> None:
    incident = await _incident(desk)
    await _assign(desk, incident, "agent1")
    await desk.about("agent1", incident["key"])

    async def burst() -> None:
        for n in range(BURST):
            await _comment(desk, incident, f"burst {n}")

    running = asyncio.create_task(burst())
    await asyncio.sleep(0.5)
    _kill(live_stack, "notifications")
    await running
    await _restart(live_stack, "notifications", notifications_environment())

    async def all_heard() -> list[dict[str, Any]] | None:
        notes = await desk.notifications_of("agent1")
        comments = [
            n for n in notes if n["key"] == incident["key"] and n["kind"] == "incident_commented"
        ]
        return comments if len(comments) >= BURST else None

    comments = await eventually(all_heard, 60, f"agent1 hears of all {BURST} comments")
    assert len(comments) == BURST
    assert len({n["body"] for n in comments}) == BURST

    async def settled() -> list[asyncpg.Record] | None:
        rows = await _rows(
            "select d.status, d.digest_id, d.id from notifications.dispatches d"
            " join notifications.notifications n on n.seq = d.notification_seq"
            " where n.key = $1 and n.username = 'agent1' and d.channel = 'email'",
            incident["key"],
        )
        done = rows and all(r["status"] in ("sent", "digested") for r in rows)
        return rows if done else None

    rows = await eventually(settled, 60, "every mail about it sent or carried by a digest")
    sent = {r["id"] for r in rows if r["status"] == "sent"}
    assert all(r["digest_id"] in sent for r in rows if r["status"] == "digested")
    assert len(rows) == BURST + 1  # the assignment's mail and one per comment, each once


async def test_channels_down_delays_a_telegram_message_which_then_arrives_once(
    desk: Desk, live_stack: LiveStack
) -> None:
    async with httpx.AsyncClient(base_url=live_stack.telegram_fake_url, timeout=10) as fake:
        person = TelegramPerson(fake, live_stack.telegram_bot_id, "Agent One")
        link = await desk.http.post(
            f"{live_stack.channels_url}/api/v1/telegram/links",
            headers=await desk.headers("agent1"),
        )
        await person.write(f"/start {link.json()['token']}")
        await person.bot_says(".")
        matrix = {"incident_assigned": {"mine": ["in_app", "telegram"]}}
        await desk.notes("PUT", "/api/v1/preferences", "agent1", json={"matrix": matrix})
        incident = await _incident(desk)
        _kill(live_stack, "channels")
        try:
            await _assign(desk, incident, "agent1")
            [note] = await desk.about("agent1", incident["key"])
            path = f"/api/v1/notifications/{note['id']}/deliveries"

            async def retried() -> dict[str, Any] | None:
                [log] = (await desk.notes("GET", path, "agent1")).json()
                return log if log["attempts"] >= 2 and log["status"] == "pending" else None

            waiting = await eventually(retried, 30, "the telegram dispatch retried")
            assert "channels" in waiting["last_error"]
        finally:
            await _restart(live_stack, "channels", channels_environment())
        said = await person.bot_says(incident["key"], timeout_s=30)
        assert f"/incidents/{incident['key']}" in said["text"]
        await asyncio.sleep(3)  # a second copy would have come by now
        copies = [m for m in await person.chat() if incident["key"] in str(m.get("text"))]
        assert len(copies) == 1
