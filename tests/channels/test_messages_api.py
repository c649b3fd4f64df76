"""The outbound messages API on a stack of real processes, with real tokens: who may send and
read; a message to a contact's Telegram chat is queued, sent and logged, once per
Idempotency-Key; what cannot be sent is a 422 naming the field, never a 500; an SMS is
delivered when the gateway says so; and the channels' metrics carry samples of both channels."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from servicedesk.ops.provision import admin_dsn
from tests.channels.sms_phone import SmsPhone
from tests.channels.telegram_person import TelegramPerson
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer

NOTIFICATIONS = "notifications"  # the service account of the notifications service
NO_ONE = None
MESSAGES = "/api/v1/messages"


@pytest.fixture
async def messages(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.channels_url, timeout=10) as client:
        yield client


async def _as(tokens: TokenShop, who: str | None) -> dict[str, str]:
    """Headers of a demo user, of the notifications service, or of no one."""
    if who is None:
        return {}
    if who == NOTIFICATIONS:
        return bearer(await tokens.service(NOTIFICATIONS))
    return bearer(await tokens.access(who))


async def _contact_of(channel: str, address: str) -> str:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        contact = await connection.fetchval(
            "select contact_id from channels.identities where channel = $1 and address = $2",
            channel,
            address,
        )
    finally:
        await connection.close()
    assert contact is not None, f"no {channel} identity {address}"
    return str(contact)


async def _telegram_contact(fake: httpx.AsyncClient, bot_id: int) -> tuple[TelegramPerson, str]:
    """A person who wrote to the bot (so the bot may write to them), and their contact id."""
    person = TelegramPerson(fake, bot_id, "Nina")
    await person.write("/help")
    await person.bot_says("/new")
    return person, await _contact_of("telegram", str(person.user_id))


async def _post(
    api: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    key_header = {"Idempotency-Key": key or f"test-{uuid.uuid4()}"}
    return await api.post(MESSAGES, json=body, headers=headers | key_header)


async def _until_status(
    api: httpx.AsyncClient, headers: dict[str, str], delivery_id: str, status: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        view: dict[str, Any] = (await api.get(f"{MESSAGES}/{delivery_id}", headers=headers)).json()
        if view["status"] == status:
            return view
        assert time.monotonic() < deadline, f"still {view['status']}: {view}"
        await asyncio.sleep(0.2)


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [str(e["field"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("who", "may_send", "may_read"),
    [
        (NOTIFICATIONS, 202, 200),
        ("admin1", 202, 200),
        ("supervisor1", 403, 200),
        ("agent1", 403, 403),
        ("reporter1", 403, 403),
        (NO_ONE, 401, 401),
    ],
)
async def test_who_may_send_and_read_messages(
    live_stack: LiveStack,
    telegram_fake: httpx.AsyncClient,
    messages: httpx.AsyncClient,
    tokens: TokenShop,
    who: str | None,
    may_send: int,
    may_read: int,
) -> None:
    _, contact = await _telegram_contact(telegram_fake, live_stack.telegram_bot_id)
    body = {"channel": "telegram", "contact_id": contact, "text": "Your order ships today"}
    made = await _post(messages, await _as(tokens, NOTIFICATIONS), body)
    assert made.status_code == 202, made.text
    headers = await _as(tokens, who)
    sent = await _post(messages, headers, body)
    assert sent.status_code == may_send, sent.text
    read = await messages.get(f"{MESSAGES}/{made.json()['id']}", headers=headers)
    assert read.status_code == may_read, read.text
    if may_send >= 400:
        assert sent.headers["content-type"].startswith("application/problem+json")


async def test_a_message_to_a_contact_is_sent_once_per_key(
    live_stack: LiveStack,
    telegram_fake: httpx.AsyncClient,
    messages: httpx.AsyncClient,
    tokens: TokenShop,
) -> None:
    person, contact = await _telegram_contact(telegram_fake, live_stack.telegram_bot_id)
    headers = await _as(tokens, NOTIFICATIONS)
    key = f"order-shipped-{uuid.uuid4()}"
    text = "Your order LO-1042 ships tomorrow"
    body = {"channel": "telegram", "contact_id": contact, "text": text}
    queued = await _post(messages, headers, body, key)
    assert queued.status_code == 202, queued.text
    assert (queued.json()["status"], queued.json()["log"]) == ("queued", [])
    delivery_id = queued.json()["id"]

    await person.bot_says("LO-1042 ships tomorrow")
    view = await _until_status(messages, headers, delivery_id, "sent")
    assert (view["channel"], view["address"], view["parts"]) == ("telegram", str(person.user_id), 1)
    assert [(a["attempt"], a["outcome"]) for a in view["log"]] == [(1, "sent")]
    assert view["sent_at"] is not None

    again = await _post(messages, headers, body, key)
    assert (again.status_code, again.json()["id"]) == (200, delivery_id)
    other = await _post(messages, headers, body | {"text": "Another text"}, key)
    assert _fields(other) == ["Idempotency-Key"]
    await asyncio.sleep(1.5)
    copies = [m for m in await person.chat() if "LO-1042" in str(m.get("text"))]
    assert len(copies) == 1, "the same key sends nothing more"

    by_sms = await _post(messages, headers, body | {"channel": "sms"})
    assert _fields(by_sms) == ["contact_id"], "no phone for that contact"
    nobody = {"channel": "telegram", "user_id": f"no-such-user-{uuid.uuid4().hex[:8]}"}
    unknown = await _post(messages, headers, nobody | {"text": text})
    assert _fields(unknown) == ["user_id"]
    missing = await messages.get(f"{MESSAGES}/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404


async def test_one_key_sent_at_once_many_times_is_one_message(
    live_stack: LiveStack,
    telegram_fake: httpx.AsyncClient,
    messages: httpx.AsyncClient,
    tokens: TokenShop,
) -> None:
    person, contact = await _telegram_contact(telegram_fake, live_stack.telegram_bot_id)
    headers = await _as(tokens, NOTIFICATIONS)
    body = {"channel": "telegram", "contact_id": contact}
    same, mixed = f"same-{uuid.uuid4()}", f"mixed-{uuid.uuid4()}"
    alike = await asyncio.gather(
        *(_post(messages, headers, body | {"text": "Invoice 77 is paid"}, same) for _ in range(8))
    )
    assert {a.status_code for a in alike} <= {200, 202}, [a.text for a in alike]
    assert len({a.json()["id"] for a in alike}) == 1
    texts = [f"Invoice 78, variant {n}" for n in range(8)]
    differing = await asyncio.gather(
        *(_post(messages, headers, body | {"text": t}, mixed) for t in texts)
    )
    taken = [(a, t) for a, t in zip(differing, texts, strict=True) if a.status_code < 300]
    assert len(taken) == 1, [a.text for a in differing]
    assert [a.status_code for a in differing].count(422) == 7
    await person.bot_says(re.escape(taken[0][1]))
    await asyncio.sleep(1.5)
    chat = [str(m.get("text")) for m in await person.chat() if m["sender"] == "bot"]
    assert chat.count("Invoice 77 is paid") == 1
    assert len([t for t in chat if t.startswith("Invoice 78")]) == 1


CONTACT = str(uuid.UUID(int=1))
GOOD = {"channel": "telegram", "contact_id": CONTACT, "text": "Hello"}
NO_KEY = "<no Idempotency-Key>"


@pytest.mark.parametrize(
    ("body", "key", "field"),
    [
        (GOOD | {"text": ""}, None, "text"),
        (GOOD | {"text": "   "}, None, "text"),
        (GOOD | {"text": "x" * 20_000}, None, "text"),
        (GOOD | {"channel": "whatsapp"}, None, "channel"),
        ({"contact_id": CONTACT, "text": "Hello"}, None, "channel"),
        (GOOD | {"contact_id": "not-a-uuid"}, None, "contact_id"),
        (GOOD | {"user_id": "bad id!", "contact_id": None}, None, "user_id"),
        (GOOD | {"incident_key": "INC-12"}, None, "incident_key"),
        (GOOD | {"priority": "high"}, None, "priority"),
        (GOOD, "has spaces in it", "Idempotency-Key"),
        (GOOD, "k" * 201, "Idempotency-Key"),
        (GOOD, "tab\tinside", "Idempotency-Key"),
        (GOOD, NO_KEY, "Idempotency-Key"),
    ],
)
async def test_what_cannot_be_sent_is_a_422_naming_the_field(
    messages: httpx.AsyncClient,
    tokens: TokenShop,
    body: dict[str, Any],
    key: str | None,
    field: str,
) -> None:
    headers = await _as(tokens, NOTIFICATIONS)
    if key == NO_KEY:
        answer = await messages.post(MESSAGES, json=body, headers=headers)
    else:
        answer = await _post(messages, headers, body, key)
    assert _fields(answer) == [field]


@pytest.mark.parametrize(
    "body",
    [GOOD | {"user_id": "1b2c3d"}, {"channel": "telegram", "text": "Hello"}],
    ids=["both", "neither"],
)
async def test_exactly_one_of_user_and_contact(
    messages: httpx.AsyncClient, tokens: TokenShop, body: dict[str, Any]
) -> None:
    answer = await _post(messages, await _as(tokens, NOTIFICATIONS), body)
    assert len(_fields(answer)) == 1
    reason = str(answer.json()["errors"][0]["reason"])
    assert "user_id" in reason
    assert "contact_id" in reason


@pytest.mark.parametrize("gateway", ["smsru", "twilio"])
async def test_an_sms_message_is_delivered_when_the_gateway_says_so(
    sms_fake: httpx.AsyncClient, messages: httpx.AsyncClient, tokens: TokenShop, gateway: str
) -> None:
    phone = SmsPhone(sms_fake, gateway)
    await phone.send("Где мой заказ?")
    await phone.receives(r"INC-\d+ открыто")
    contact = await _contact_of("sms", phone.phone)
    headers = await _as(tokens, NOTIFICATIONS)
    body = {"channel": "sms", "contact_id": contact, "text": "Заказ приедет завтра до 18:00"}
    queued = await _post(messages, headers, body)
    assert queued.status_code == 202, queued.text
    await phone.receives("Заказ приедет завтра до 18:00")
    view = await _until_status(messages, headers, queued.json()["id"], "delivered")
    assert (view["address"], view["parts"]) == (phone.phone, 1)
    assert view["sent_at"] is not None
    assert view["delivered_at"] is not None
    assert [a["outcome"] for a in view["log"]] == ["sent"]


def _channels_sampled(text: str) -> dict[str, set[str]]:
    """The channels each channel_* sample (`…_total`, `…_count`) has a value for."""
    found: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("channel_") and "channel" in sample.labels:
                found.setdefault(sample.name, set()).add(sample.labels["channel"])
    return found


async def test_the_metrics_show_both_channels(
    live_stack: LiveStack,
    telegram_fake: httpx.AsyncClient,
    sms_fake: httpx.AsyncClient,
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Mila")
    await person.write("The projector in room 2 is dim")
    await person.bot_says(r"INC-\d+ is open")
    phone = SmsPhone(sms_fake, "smsru")
    await phone.send("Не печатает принтер")
    await phone.receives(r"INC-\d+ открыто")
    async with httpx.AsyncClient(base_url=live_stack.channels_url, timeout=10) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    sampled = _channels_sampled(response.text)
    for name in (
        "channel_messages_in_total",
        "channel_messages_out_total",
        "channel_delivery_latency_seconds_count",
        "channel_webhook_ack_seconds_count",
    ):
        assert {"telegram", "sms"} <= sampled.get(name, set()), (name, sampled.get(name))
