"""The webhook on a stack of real processes: a wrong or missing secret is refused with 401 and
stores nothing; a repeated update is acknowledged and makes one incident; what cannot be used
(not JSON, invalid UTF-8, no update_id, an unknown kind, no text, 50 KB of text) is
acknowledged with 200, never a 500, never a second incident."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from servicedesk.ops.provision import admin_dsn
from tests.channels.telegram_person import TelegramPerson
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack

SECRET = "local-telegram-webhook-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def webhook(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"{live_stack.channels_url}/channels/telegram", timeout=10
    ) as client:
        yield client


async def _stored(update_id: int) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        return list(
            await connection.fetch(
                "select outcome from channels.inbox where source like 'telegram:%'"
                " and external_id = $1",
                str(update_id),
            )
        )
    finally:
        await connection.close()


async def _incidents_of(telegram_id: int) -> int:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        count = await connection.fetchval(
            "select count(*) from tickets.incidents where reporter_telegram_id = $1", telegram_id
        )
        return int(count)
    finally:
        await connection.close()


def _update(user_id: int, text: str | None, **more: Any) -> dict[str, Any]:
    update_id = random.randint(10**9, 2 * 10**9)
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 1_780_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "en"},
        **more,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


@pytest.mark.parametrize("headers", [{}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(
    webhook: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    update = _update(random.randint(10**9, 2 * 10**9), "hello")
    response = await webhook.post("/webhook", json=update, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _stored(update["update_id"]) == []


async def test_a_repeated_update_makes_one_incident(
    webhook: httpx.AsyncClient, live_stack: LiveStack, telegram_fake: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Anna")
    # The person must have written to the bot once (else the fake cannot answer them).
    await person.write("/help")
    await person.bot_says("/new")
    update = _update(person.user_id, "Monitor flickers")
    answers = await asyncio.gather(
        *(webhook.post("/webhook", json=update, headers={HEADER: SECRET}) for _ in range(5))
    )
    assert [a.status_code for a in answers] == [200] * 5
    await person.bot_says(r"INC-\d+ is open")
    assert len(await _stored(update["update_id"])) == 1
    again = await webhook.post("/webhook", json=update, headers={HEADER: SECRET})
    assert again.status_code == 200
    await asyncio.sleep(1.5)
    assert await _incidents_of(person.user_id) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"message": {"text": "no update id"}}',
        b"[1, 2, 3]",
        b'"just a string"',
    ],
)
async def test_unusable_bodies_are_acknowledged(webhook: httpx.AsyncClient, body: bytes) -> None:
    response = await webhook.post(
        "/webhook", content=body, headers={HEADER: SECRET, "content-type": "application/json"}
    )
    assert response.status_code == 200


async def _outcome(update_id: int) -> str | None:
    for _ in range(60):
        rows = await _stored(update_id)
        if rows and rows[0]["outcome"]:
            return str(rows[0]["outcome"])
        await asyncio.sleep(0.25)
    return None


async def test_updates_we_cannot_use_are_processed_without_an_incident(
    webhook: httpx.AsyncClient, live_stack: LiveStack, telegram_fake: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Anna")
    await person.write("/help")
    await person.bot_says("/new")
    unknown_kind = {"update_id": random.randint(10**9, 2 * 10**9), "poll": {"id": "1"}}
    sticker = _update(person.user_id, None, sticker={"file_id": "x", "width": 1, "height": 1})
    group = _update(person.user_id, "hello group")
    group["message"]["chat"] = {"id": -100123, "type": "group", "title": "G"}
    for update in (unknown_kind, sticker, group):
        response = await webhook.post("/webhook", json=update, headers={HEADER: SECRET})
        assert response.status_code == 200
    assert await _outcome(unknown_kind["update_id"]) == "ignored"
    assert await _outcome(sticker["update_id"]) == "unsupported"
    assert await _outcome(group["update_id"]) == "ignored"
    await person.bot_says("I understand text, photos and documents")
    assert await _incidents_of(person.user_id) == 0


async def test_fifty_kilobytes_of_text_make_one_incident(
    webhook: httpx.AsyncClient, live_stack: LiveStack, telegram_fake: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Anna")
    await person.write("/help")
    await person.bot_says("/new")
    update = _update(person.user_id, "Разбор логов\n" + "очень длинный текст " * 2600)
    response = await webhook.post("/webhook", json=update, headers={HEADER: SECRET})
    assert response.status_code == 200
    assert await _outcome(update["update_id"]) == "created"
    assert await _incidents_of(person.user_id) == 1
