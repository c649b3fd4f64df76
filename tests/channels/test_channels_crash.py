"""Killed in the middle of a burst: every update the webhook acknowledged before the kill (or
after the restart) is processed exactly once: one incident each, none lost, none doubled."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from typing import Any

import asyncpg
import httpx

from servicedesk.ops.provision import admin_dsn
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack, channels_environment
from tests.support.processes import start_service, wait_ready

SECRET = "local-telegram-webhook-secret"
BURST = 300


def _update(update_id: int, user_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_780_000_000,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Crash", "language_code": "en"},
            "text": f"Burst incident from {user_id}",
        },
    }


async def _post_all(url: str, updates: list[dict[str, Any]]) -> list[int]:
    """Posts the updates at concurrency 16; the ids acknowledged with 200."""
    acked: list[int] = []
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=5) as client:

        async def post(update: dict[str, Any]) -> None:
            async with gate:
                try:
                    response = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                    )
                except httpx.TransportError:
                    return
                if response.status_code == 200:
                    acked.append(update["update_id"])

        await asyncio.gather(*(post(u) for u in updates))
    return acked


async def _processed(update_ids: list[int]) -> tuple[int, int]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        row = await connection.fetchrow(
            "select count(*) filter (where processed_at is not null) as done, count(*) as stored"
            " from channels.inbox where external_id = any($1::text[])",
            [str(i) for i in update_ids],
        )
        return int(row["done"]), int(row["stored"])
    finally:
        await connection.close()


async def _incidents_by_reporter(user_ids: list[int]) -> dict[int, int]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        rows = await connection.fetch(
            "select reporter_telegram_id as who, count(*) as n from tickets.incidents"
            " where reporter_telegram_id = any($1::bigint[]) group by 1",
            user_ids,
        )
        return {int(r["who"]): int(r["n"]) for r in rows}
    finally:
        await connection.close()


async def test_every_acknowledged_update_is_processed_once_after_a_kill(
    live_stack: LiveStack,
) -> None:
    base = random.randint(10**9, 2 * 10**9)
    users = {base + n: 3 * 10**9 + base + n for n in range(BURST)}
    updates = [_update(update_id, user) for update_id, user in users.items()]
    url = f"{live_stack.channels_url}/channels/telegram/webhook"
    channels = next(s for s in live_stack.started if s.name == "channels")

    burst = asyncio.create_task(_post_all(url, updates))
    await asyncio.sleep(0.4)  # some acknowledged and in processing, more on the way
    os.killpg(channels.process.pid, signal.SIGKILL)
    channels.process.wait(timeout=10)
    acked_before = await burst

    restarted = start_service("channels", channels.port, channels_environment())
    live_stack.started[live_stack.started.index(channels)] = restarted
    assert (await wait_ready(restarted)).status_code == 200
    rest = [u for u in updates if u["update_id"] not in set(acked_before)]
    acked_after = await _post_all(url, rest)
    acked = acked_before + acked_after
    assert acked_before, "the kill came before any acknowledgement: the test proves nothing"
    assert len(acked) == BURST

    deadline = time.monotonic() + 120
    while True:
        done, stored = await _processed(acked)
        if done == len(acked) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert (done, stored) == (len(acked), len(acked))
    counts = await _incidents_by_reporter([users[i] for i in acked])
    assert len(counts) == len(acked), "an acknowledged update made no incident"
    assert set(counts.values()) == {1}, "an update made more than one incident"
