"""The bot's edges on a stack of real processes: a photo and a document become the incident's
attachments, a file over 20 MB is refused politely; Telegram's 429 is waited out and nothing is
lost; a comment over 4096 characters arrives in parts; a person who blocks the bot is not
written to until they unblock it or write again; past the hourly limit a new message becomes a
comment on the newest open incident (none reopened for it); the commands and their mistakes,
in English and Russian."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import time
from typing import Any

import asyncpg
import httpx
import pytest

from servicedesk.ops.provision import admin_dsn
from tests.channels.telegram_person import KEY, TelegramPerson
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack, channels_environment

PER_HOUR = int(channels_environment()["SD_CHANNELS_NEW_INCIDENTS_PER_HOUR"])
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
LOG = b"2026-01-12 09:00:01 ERROR export failed: disk full\n" * 60


async def _fetch(query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def _until(query: str, *args: object, timeout_s: float = 15) -> list[asyncpg.Record]:
    """The rows of `query` once it has any (an AssertionError when it never does)."""
    deadline = time.monotonic() + timeout_s
    while not (rows := await _fetch(query, *args)):
        assert time.monotonic() < deadline, f"never true: {query} {args}"
        await asyncio.sleep(0.2)
    return rows


async def _send(person: TelegramPerson, **message: Any) -> None:
    """The person sends a photo or a document (`message` as the control API takes it)."""
    response = await person.fake.post(
        f"/control/bots/{person.bot_id}/messages", json={"from": person.user, **message}
    )
    assert response.status_code == 200, response.text


def _file(name: str, mime_type: str, content: bytes) -> dict[str, str]:
    encoded = base64.b64encode(content).decode()
    return {"file_name": name, "mime_type": mime_type, "content_base64": encoded}


def _key(message: dict[str, Any]) -> str:
    found = KEY.search(str(message["text"]))
    assert found is not None, message
    return found.group(0)


async def _opens(person: TelegramPerson, text: str) -> str:
    """The person writes with nothing open; the key of the incident the bot opened."""
    await person.write(text)
    return _key(await person.bot_says(r"INC-\d+ is open"))


async def _press_new(person: TelegramPerson, text: str) -> None:
    """The person, with incidents of theirs about, writes and presses "Open a new incident"."""
    await person.write(text)
    question = await person.bot_says(r"You have open incidents")
    await person.press(question["message_id"], "new")


async def _open_up_to_the_limit(person: TelegramPerson) -> list[str]:
    keys = [await _opens(person, "Incident number 1")]
    for n in range(2, PER_HOUR + 1):
        await _press_new(person, f"Incident number {n}")
        keys.append(_key(await person.bot_says(rf"INC-\d+ is open: «Incident number {n}»")))
    return keys


async def _comment(api: httpx.AsyncClient, key: str, body: str) -> None:
    answer = await api.post(
        f"/api/v1/incidents/{key}/comments", json={"body": body, "visibility": "public"}
    )
    assert answer.status_code == 201, answer.text


async def test_a_photo_and_a_document_become_attachments(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Marta")
    photo = _file("screen.jpg", "image/jpeg", JPEG)
    await _send(person, photo=photo, caption="The screen of the till is cracked")
    attached = await person.bot_says(r"The file photo-\S+\.jpg is attached to INC-\d+")
    created = await person.bot_says(r"INC-\d+ is open: «The screen of the till is cracked»")
    key = _key(created)
    assert key in attached["text"]

    document = _file("export.log", "text/plain", LOG)
    await _send(person, document=document, reply_to_message_id=created["message_id"])
    await person.bot_says(rf"The file export\.log is attached to {key}")
    await person.bot_says(rf"Added to {key}")

    listed = await agent_api.get(f"/api/v1/incidents/{key}/attachments")
    assert listed.status_code == 200
    sizes = {a["filename"]: (a["size"], a["content_type"]) for a in listed.json()}
    photo_name = next(name for name in sizes if name.startswith("photo-"))
    assert photo_name.endswith(".jpg")
    assert sizes == {photo_name: (len(JPEG), "image/jpeg"), "export.log": (len(LOG), "text/plain")}


async def test_a_file_over_20_mb_is_refused_and_the_caption_still_opens_an_incident(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Boris")
    dump = {"file_name": "crash.dump", "mime_type": "application/zip", "size": 21_000_000}
    await _send(person, document=dump, caption="The app crashes at start")
    await person.bot_says(r"The file crash\.dump is larger than 20 MB")
    key = _key(await person.bot_says(r"INC-\d+ is open: «The app crashes at start»"))
    listed = await agent_api.get(f"/api/v1/incidents/{key}/attachments")
    assert (listed.status_code, listed.json()) == (200, [])
    assert all("is attached" not in str(m.get("text")) for m in await person.chat())


async def _quiet_sender() -> None:
    """Until the sender has nothing due: the fake's 429s must reach this test's messages."""
    for _ in range(75):
        if not await _fetch(
            "select 1 from channels.deliveries where status = 'queued' and channel = 'telegram'"
            " and next_attempt_at < now() + interval '5 seconds'"
        ):
            return
        await asyncio.sleep(0.2)


async def test_too_many_requests_are_waited_out_and_nothing_is_lost(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Klara")
    await _quiet_sender()
    faults = f"/control/bots/{live_stack.telegram_bot_id}/faults"
    try:
        tried = await telegram_fake.post(faults, json={"too_many_requests": 2, "retry_after": 2})
        assert tried.status_code == 200
        key = await _opens(person, "The keyboard of the till misses keys")
    finally:
        await telegram_fake.post(faults, json={"too_many_requests": 0})
    rows = await _fetch(
        "select d.status, d.created_at, d.sent_at, a.outcome, a.detail"
        " from channels.deliveries d join channels.delivery_attempts a on a.delivery_id = d.id"
        " where d.channel = 'telegram' and d.address = $1 and d.body like $2 order by a.id",
        str(person.user_id),
        f"%{key}%",
    )
    assert [r["outcome"] for r in rows] == ["retry-later", "retry-later", "sent"]
    assert "429" in str(rows[0]["detail"])
    assert rows[-1]["status"] == "sent"
    waited = (rows[-1]["sent_at"] - rows[-1]["created_at"]).total_seconds()
    assert waited >= 3.5, "retry_after (2 s, twice) was honoured"
    assert len([m for m in await person.chat() if m["sender"] == "bot"]) == 1, "sent once"


async def test_a_comment_over_4096_characters_arrives_in_parts(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Lena")
    key = await _opens(person, "Exports of the month fail")
    step = "check the export settings, then run it again."
    body = "\n".join(f"Step {n:03d}: {step} {step}" for n in range(110))
    await _comment(agent_api, key, body)
    await person.bot_says(r"Step 109:", timeout_s=20)
    delivery = await _fetch(
        "select d.status, d.parts, array_agg(p.provider_message_id) as ids"
        " from channels.deliveries d"
        " join channels.provider_messages p on p.delivery_id = d.id"
        " where d.address = $1 and d.body like '%Step 109:%' group by d.id",
        str(person.user_id),
    )
    assert len(delivery) == 1
    message_ids = sorted(int(i.split(":")[1]) for i in delivery[0]["ids"])
    assert (delivery[0]["status"], delivery[0]["parts"]) == ("sent", len(message_ids))
    chat = {m["message_id"]: m for m in await person.chat()}
    parts = [str(chat[i]["text"]) for i in message_ids]
    assert len(parts) == 3
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == f"{key} · agent1:\n{body}", "the whole text, cut at line ends"


async def _identity(person: TelegramPerson) -> asyncpg.Record:
    (row,) = await _fetch(
        "select reachable, unreachable_reason from channels.identities"
        " where channel = 'telegram' and address = $1",
        str(person.user_id),
    )
    return row


async def _member_status(person: TelegramPerson, status: str) -> int:
    """The person blocks or unblocks the bot; the update id of the change."""
    response = await person.fake.post(
        f"/control/bots/{person.bot_id}/member-status", json={"from": person.user, "status": status}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["update_id"])


async def _reachable_is(person: TelegramPerson, reachable: bool) -> None:
    await _until(
        "select 1 from channels.identities where channel = 'telegram' and address = $1"
        " and reachable = $2",
        str(person.user_id),
        reachable,
    )


async def test_a_person_who_blocks_the_bot_is_not_written_to_until_they_come_back(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Gleb")
    key = await _opens(person, "The scanner does not scan")
    chat_path = f"/control/bots/{person.bot_id}/chats/{person.user_id}"

    # Blocked without our hearing of it: the send is refused, the identity marked.
    assert (await telegram_fake.post(f"{chat_path}/block")).status_code == 200
    await _comment(agent_api, key, "Is the scanner plugged in?")
    failed = await _until(
        "select d.status, d.last_error, a.outcome from channels.deliveries d"
        " join channels.delivery_attempts a on a.delivery_id = d.id"
        " where d.address = $1 and d.body like '%plugged in%' and d.status <> 'queued'",
        str(person.user_id),
    )
    assert [(r["status"], r["outcome"]) for r in failed] == [("failed", "unreachable")]
    assert "blocked" in str(failed[0]["last_error"])
    assert not (await _identity(person))["reachable"]
    # Who writes to the bot again can be written to again.
    assert (await telegram_fake.post(f"{chat_path}/unblock")).status_code == 200
    await person.write("Sorry, I had blocked you")
    await person.bot_says(r"You have open incidents")
    await _reachable_is(person, True)

    # Blocked as Telegram tells us: nothing is sent to them until they unblock it.
    blocked = await _member_status(person, "blocked")
    await _reachable_is(person, False)
    assert (await _identity(person))["unreachable_reason"] == "blocked the bot"
    started = (await _fetch("select now() as at"))[0]["at"]
    await _comment(agent_api, key, "Did restarting it help?")
    await _until("select 1 from channels.processed_messages where processed_at >= $1", started)
    await asyncio.sleep(1)
    sent = await _fetch(
        "select status from channels.deliveries where address = $1 and body like '%restarting%'",
        str(person.user_id),
    )
    assert {r["status"] for r in sent} <= {"failed"}, "never queued nor sent"
    unblocked = await _member_status(person, "unblocked")
    await _reachable_is(person, True)
    await _comment(agent_api, key, "Please try the other USB port")
    await person.bot_says(r"Please try the other USB port")
    texts = [str(m.get("text")) for m in await person.chat()]
    assert not any("plugged in" in t or "restarting" in t for t in texts)

    changes = [str(blocked), str(unblocked)]
    outcomes = await _fetch(
        "select outcome, last_error from channels.inbox where source like 'telegram:%'"
        " and external_id = any($1::text[]) order by id",
        changes,
    )
    assert [tuple(r) for r in outcomes] == [("blocked", None), ("unblocked", None)]
    webhook = (await telegram_fake.get(f"/control/bots/{person.bot_id}/deliveries")).json()
    codes = {d["status_code"] for d in webhook if str(d["update_id"]) in changes}
    assert codes == {200}, "no 500s anywhere"


async def test_past_the_hourly_limit_a_new_message_becomes_a_comment(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Vera")
    keys = await _open_up_to_the_limit(person)
    await _press_new(person, f"Incident number {PER_HOUR + 1}")
    told = await person.bot_says(rf"opened {PER_HOUR} incidents within the hour")
    assert f"added to {keys[-1]} instead" in told["text"]
    comments = (await agent_api.get(f"/api/v1/incidents/{keys[-1]}/comments")).json()
    assert f"Incident number {PER_HOUR + 1}" in [c["body"] for c in comments]
    opened = await _fetch(
        "select count(*) as n from tickets.incidents where reporter_telegram_id = $1",
        person.user_id,
    )
    assert opened[0]["n"] == PER_HOUR


async def test_past_the_hourly_limit_with_nothing_open_the_person_is_asked_to_wait(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Rita")
    keys = await _open_up_to_the_limit(person)
    for key in keys:
        resolved = await agent_api.post(
            f"/api/v1/incidents/{key}/transitions",
            json={"transition": "resolve", "fields": {"resolution": "Fixed"}},
        )
        assert resolved.status_code == 200, resolved.text
    await _until(
        "select 1 from channels.conversations c join channels.identities i"
        " on i.id = c.identity_id where i.address = $1"
        " having count(*) filter (where c.status = 'resolved') = $2",
        str(person.user_id),
        PER_HOUR,
    )
    await _press_new(person, "Yet another problem")
    await person.bot_says(rf"opened {PER_HOUR} incidents within the hour\. Please wait")
    statuses = [(await agent_api.get(f"/api/v1/incidents/{k}")).json()["status"] for k in keys]
    assert statuses == ["resolved"] * PER_HOUR, "none reopened by a new problem"


# What the bot says (or the person writes) at each step, in English and in Russian.
COMMAND_TEXTS = {
    "help": ("/new: open an incident step by step", "/new: открыть обращение по шагам"),
    "greeting": ("Hello, Tom!", "Здравствуйте, Tom!"),
    "new": ("What is the problem, in one line?", "В чём проблема, в одной строке?"),
    "described": ("Describe it", "Опишите подробнее"),
    "cancelled": ("Cancelled.", "Отменено."),
    "usage": ("Write /status and the incident number", "Напишите /status и номер обращения"),
    "invalid": ("This link does not work", "Ссылка не работает"),
    "problem": ("The mouse is broken", "Сломалась мышь"),
    "created": ("is open: «The mouse is broken»", "открыто: «Сломалась мышь»"),
}


async def _spent_link_tokens() -> list[str]:
    """Two link tokens that exist but no longer work: one used, one expired."""
    used, expired = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await _fetch(
        "insert into channels.link_tokens (token_hash, user_id, username, name, expires_at,"
        " used_at) values ($1, 'nobody', 'nobody', 'Nobody', now() + interval '10 minutes',"
        " now()), ($2, 'nobody', 'nobody', 'Nobody', now() - interval '1 minute', null)",
        *(hashlib.sha256(token.encode()).hexdigest() for token in (used, expired)),
    )
    return [used, expired]


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_commands_and_their_mistakes(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, language: str
) -> None:
    texts = {step: said[language == "ru"] for step, said in COMMAND_TEXTS.items()}
    says = {step: re.escape(text) for step, text in texts.items()}
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Tom", language)
    await person.write("/start")
    await person.bot_says(says["greeting"])
    for command in ("/help", "/frobnicate", "/help@servicedesk_local_bot"):
        await person.write(command)
        await person.bot_says(says["help"])
    for status in ("/status", "/status please", "/status #12"):
        await person.write(status)
        await person.bot_says(says["usage"])
    for token in [secrets.token_urlsafe(32), *await _spent_link_tokens()]:
        await person.write(f"/start {token}")
        await person.bot_says(says["invalid"])

    await person.write("/new")
    await person.bot_says(says["new"])
    await person.write("/cancel")
    await person.bot_says(says["cancelled"])
    await person.write(texts["problem"])
    await person.bot_says(rf"INC-\d+ {says['created']}")
    answers = [str(m.get("text")) for m in await person.chat() if m["sender"] == "bot"]
    assert not any(texts["described"] in a for a in answers), "not taken as the title"
    links = await _fetch(
        "select count(*) as n from channels.link_tokens t join channels.identities i"
        " on i.id = t.identity_id where i.address = $1",
        str(person.user_id),
    )
    assert links[0]["n"] == 0, "no link was redeemed"
