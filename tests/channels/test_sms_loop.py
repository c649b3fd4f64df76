"""SMS end to end through each gateway (SMS.ru and Twilio-style fakes over real HTTP): an SMS
opens an incident; an agent's public comment reaches the phone within 5 s; an SMS starting with
the incident's number becomes a comment; resolving tells the phone, and a numbered reply
reopens it. Delivery statuses follow the gateway's callbacks; replayed callbacks change
nothing; forged ones are refused with 401 and store nothing."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
import pytest

from servicedesk.ops.provision import admin_dsn
from tests.channels.sms_phone import SmsPhone
from tests.channels.telegram_person import KEY
from tests.support.isolation import TEST_DATABASE
from tests.support.live_web import LiveStack

REPORTER1_PHONE = "+79160000005"  # reporter1's phone in the realm's Keycloak profile


async def _fetch(query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def _delivery_statuses(phone: str) -> list[str]:
    rows = await _fetch(
        "select status from channels.deliveries where channel = 'sms' and address = $1"
        " order by seq",
        phone,
    )
    return [r["status"] for r in rows]


@pytest.mark.parametrize("gateway", ["smsru", "twilio"])
async def test_an_sms_becomes_an_incident_and_hears_back(
    gateway: str, sms_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    phone = SmsPhone(sms_fake, gateway)
    await phone.send("Нет интернета в офисе на Ленина 5")
    created = await phone.receives(r"INC-\d+ открыто")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]
    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert (incident["channel"], incident["reporter_phone"]) == ("sms", phone.phone)

    started = time.monotonic()
    commented = await agent_api.post(
        f"/api/v1/incidents/{key}/comments",
        json={"body": "Перезагрузите роутер, пожалуйста", "visibility": "public"},
    )
    assert commented.status_code == 201
    await phone.receives(r"Перезагрузите роутер", timeout_s=5)
    assert time.monotonic() - started < 5

    await phone.send(f"{key} перезагрузил, не помогло")
    await phone.receives(rf"Добавлено в {key}")
    bodies = [c["body"] for c in (await agent_api.get(f"/api/v1/incidents/{key}/comments")).json()]
    assert "перезагрузил, не помогло" in bodies

    resolving = await agent_api.post(
        f"/api/v1/incidents/{key}/transitions",
        json={"transition": "resolve", "fields": {"resolution": "Заменили коммутатор"}},
    )
    assert resolving.status_code == 200, resolving.text
    await phone.receives(rf"{key} решено")
    await phone.send(f"{key.lower()} снова нет связи")
    await phone.receives(rf"{key}; обращение снова открыто")
    assert (await agent_api.get(f"/api/v1/incidents/{key}")).json()["status"] == "in_progress"

    for _ in range(50):  # the gateway reports each SMS delivered a moment later
        if set(await _delivery_statuses(phone.phone)) == {"delivered"}:
            break
        await asyncio.sleep(0.2)
    assert set(await _delivery_statuses(phone.phone)) == {"delivered"}


async def test_a_known_phone_is_its_users_and_an_unknown_number_is_refused_politely(
    sms_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    # reporter1's contact lives on across test runs: its earlier runs' incidents must not
    # count against the hourly limit of new incidents.
    await _fetch(
        "delete from channels.conversations where contact_id in (select contact_id from"
        " channels.identities where channel = 'sms' and address = $1)",
        REPORTER1_PHONE,
    )
    phone = SmsPhone(sms_fake, "smsru", phone=REPORTER1_PHONE)
    phone.seen = len([m for m in await phone.messages() if m["direction"] == "to_phone"])
    await phone.send("Не могу войти в личный кабинет")
    created = await phone.receives(r"INC-\d+ открыто")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]
    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert incident["reporter_username"] == "reporter1"

    stranger = SmsPhone(sms_fake, "twilio")
    await stranger.send(f"{key} это не моё обращение")
    await stranger.receives(rf"{key} среди ваших не найдено")


async def test_a_phone_follows_its_owner_when_the_stored_user_is_gone(
    sms_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    # reporter1's phone was once bound to a user the directory no longer has (deleted, or the
    # realm made again with new ids): the next SMS finds its owner afresh, nothing refused
    phone = SmsPhone(sms_fake, "smsru", phone=REPORTER1_PHONE)
    phone.seen = len([m for m in await phone.messages() if m["direction"] == "to_phone"])
    await phone.send("#0 проверка связи")  # makes sure the phone's identity exists
    await phone.receives(r"INC-000000")
    await _fetch(
        "delete from channels.conversations where contact_id in (select contact_id from"
        " channels.identities where channel = 'sms' and address = $1)",
        REPORTER1_PHONE,
    )
    await _fetch(
        "update channels.contacts set user_id = $2 where id in (select contact_id from"
        " channels.identities where channel = 'sms' and address = $1)",
        REPORTER1_PHONE,
        str(uuid.uuid4()),
    )
    await phone.send("Не печатает принтер в бухгалтерии")
    created = await phone.receives(r"INC-\d+ открыто")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]
    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert incident["reporter_username"] == "reporter1"


async def test_a_replayed_status_callback_changes_nothing(
    sms_fake: httpx.AsyncClient,
) -> None:
    phone = SmsPhone(sms_fake, "twilio")
    await phone.send("Принтер зажевал бумагу")
    reply = await phone.receives(r"INC-\d+ открыто")
    for _ in range(50):
        if await _delivery_statuses(phone.phone) == ["delivered"]:
            break
        await asyncio.sleep(0.2)
    before = await _fetch("select count(*) as n from channels.delivery_statuses")
    for _ in range(3):
        replayed = await sms_fake.post(f"/control/twilio/replay-status/{reply['message_id']}")
        assert replayed.status_code == 202
    await asyncio.sleep(1.5)
    assert await _fetch("select count(*) as n from channels.delivery_statuses") == before
    assert await _delivery_statuses(phone.phone) == ["delivered"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/channels/sms/smsru/callback?secret=wrong", {}),
        ("/channels/sms/smsru/callback", {}),
        ("/channels/sms/twilio/inbound", {"X-Twilio-Signature": "Zm9yZ2Vk"}),
        ("/channels/sms/twilio/inbound", {}),
        ("/channels/sms/twilio/status", {"X-Twilio-Signature": "Zm9yZ2Vk"}),
    ],
)
async def test_forged_callbacks_are_refused_and_nothing_is_stored(
    live_stack: LiveStack, path: str, headers: dict[str, str]
) -> None:
    phone = "+79990001122"
    form = {
        "data[0]": f"sms_incoming\n777-forged\n{phone[1:]}\n79990000000\n1780000000\nforged",
        "MessageSid": "SMforged0000000000000000000000000",
        "From": phone,
        "To": "+15005550006",
        "Body": "forged",
        "MessageStatus": "delivered",
    }
    async with httpx.AsyncClient(base_url=live_stack.channels_url) as client:
        response = await client.post(path, data=form, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    stored = await _fetch(
        "select 1 from channels.inbox where external_id in ('777-forged',"
        " 'SMforged0000000000000000000000000')"
    )
    assert stored == []
