"""The messages API's email, in-process on the real servers (the channels service with a support
mailbox of its own, Postfix/Dovecot, Keycloak, the tests' database): the same roles as for the
other channels; a mail to a contact or a realm user comes from the support address with the
subject asked for (else the incident's key), `Auto-Submitted: auto-generated`, and answers the
incident's mail thread when it has one; a user without an email identity is a 422 naming
`user_id`; a subject is a mail's field only."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from servicedesk.channels.app import create_app
from servicedesk.channels.email_channel.models import ReceivedMail
from servicedesk.channels.models import ChannelIdentity, Contact
from servicedesk.channels.settings import ChannelsSettings, EmailSettings, TelegramMode
from servicedesk.kernel.db import Database
from servicedesk.kernel.mail import MailSettings
from tests.channels.email_desk import new_address
from tests.support.apps import serve
from tests.support.isolation import MAIL_TAG
from tests.support.mailbox import Mailbox
from tests.support.tokens import TokenShop, bearer

NOTIFICATIONS = "notifications"
MESSAGES = "/api/v1/messages"
SUPPORT = re.compile(r"<support[^@<>]*@servicedesk\.local>$")  # a support mailbox


@dataclass
class Service:
    api: httpx.AsyncClient
    database: Database
    support: str  # the address our mail comes from


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    support = new_address("support", "servicedesk.local")
    settings = ChannelsSettings(
        email=EmailSettings(
            mailboxes=(support,),
            mail=MailSettings(from_address=support, recipient_tag=MAIL_TAG),
            poll_interval_s=1,
        )
    )
    settings.telegram.mode = TelegramMode.OFF
    database = Database(settings.db, None)
    try:
        async with serve(create_app(settings)) as api:
            yield Service(api, database, support)
    finally:
        Mailbox(support).clear()
        await database.dispose()


async def _headers(tokens: TokenShop, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    if who == NOTIFICATIONS:
        return bearer(await tokens.service(NOTIFICATIONS))
    return bearer(await tokens.access(who))


async def _person(
    service: Service, channel: str = "email", *, user: bool = False
) -> tuple[str, str, str]:
    """A contact (of a realm user when `user`) with one identity: its contact id, its user id
    ("" when none) and the identity's address."""
    user_id = f"test-{uuid.uuid4().hex[:12]}" if user else ""
    address = new_address("nina") if channel == "email" else f"+7999{random.randrange(10**7):07d}"
    async with service.database.write() as session:
        contact = Contact(id=uuid.uuid4(), user_id=user_id or None, name="Nina", locale="ru")
        session.add(contact)
        await session.flush()
        session.add(
            ChannelIdentity(
                id=uuid.uuid4(),
                contact_id=contact.id,
                channel=channel,
                address=address,
                display="Nina",
            )
        )
    return str(contact.id), user_id, address


async def _thread(service: Service, address: str, subject: str) -> tuple[str, str]:
    """A mail the person wrote about an incident: the incident's key and the mail's id."""
    key = f"INC-{random.randrange(10**9, 10**10)}"
    message_id = f"<{uuid.uuid4().hex}@example.com>"
    async with service.database.write() as session:
        identity = await session.scalar(
            select(ChannelIdentity.id).where(ChannelIdentity.address == address)
        )
        assert identity is not None
        session.add(
            ReceivedMail(
                message_id=message_id,
                incident_id=uuid.uuid4(),
                incident_key=key,
                identity_id=identity,
                subject=subject,
            )
        )
    return key, message_id


async def _post(
    service: Service, headers: dict[str, str], body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    key_header = {"Idempotency-Key": key or f"test-{uuid.uuid4()}"}
    return await service.api.post(MESSAGES, json=body, headers=headers | key_header)


async def _sent(service: Service, headers: dict[str, str], delivery_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        view: dict[str, Any] = (
            await service.api.get(f"{MESSAGES}/{delivery_id}", headers=headers)
        ).json()
        if view["status"] != "queued":
            assert view["status"] == "sent", view
            return view
        assert time.monotonic() < deadline, view
        await asyncio.sleep(0.2)


async def _mail(address: str, count: int = 1) -> list[EmailMessage]:
    box = Mailbox(address)
    box.wait_for(lambda _: len(box.messages()) >= count, 10)
    await asyncio.sleep(0.5)
    found = box.messages()
    box.clear()
    assert len(found) == count, [str(m["Subject"]) for m in found]
    return found


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
        (None, 401, 401),
    ],
)
async def test_who_may_send_and_read_email_messages(
    service: Service, tokens: TokenShop, who: str | None, may_send: int, may_read: int
) -> None:
    contact, _, _ = await _person(service)
    body = {"channel": "email", "contact_id": contact, "text": "Your order ships today"}
    made = await _post(service, await _headers(tokens, NOTIFICATIONS), body)
    assert made.status_code == 202, made.text
    headers = await _headers(tokens, who)
    sent = await _post(service, headers, body | {"subject": "Order"})
    assert sent.status_code == may_send, sent.text
    read = await service.api.get(f"{MESSAGES}/{made.json()['id']}", headers=headers)
    assert read.status_code == may_read, read.text
    if may_send >= 400:
        assert sent.headers["content-type"].startswith("application/problem+json")


async def test_a_mail_to_a_contact_comes_from_support_with_its_subject_once_per_key(
    service: Service, tokens: TokenShop
) -> None:
    contact, _, address = await _person(service)
    headers = await _headers(tokens, NOTIFICATIONS)
    key = f"order-{uuid.uuid4()}"
    body = {
        "channel": "email",
        "contact_id": contact,
        "subject": "Заказ LO-1042",
        "text": "Заказ LO-1042 приедет завтра.",
    }
    queued = await _post(service, headers, body, key)
    assert queued.status_code == 202, queued.text
    view = await _sent(service, headers, queued.json()["id"])
    assert (view["channel"], view["address"], view["parts"]) == ("email", address, 1)
    [mail] = await _mail(address)
    # the test DB is shared: another test's in-process sender may take the delivery, from its
    # own support address
    assert SUPPORT.search(str(mail["From"])), mail["From"]
    assert mail["Subject"] == "Заказ LO-1042"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["In-Reply-To"] is None
    assert "Заказ LO-1042 приедет завтра." in mail.get_content()

    again = await _post(service, headers, body, key)
    assert (again.status_code, again.json()["id"]) == (200, queued.json()["id"])
    other = await _post(service, headers, body | {"subject": "Другая тема"}, key)
    assert _fields(other) == ["Idempotency-Key"]


async def test_a_mail_about_an_incident_answers_its_thread(
    service: Service, tokens: TokenShop
) -> None:
    _, user_id, address = await _person(service, user=True)
    incident, theirs = await _thread(service, address, "Не работает VPN")
    headers = await _headers(tokens, NOTIFICATIONS)
    body = {"channel": "email", "user_id": user_id, "incident_key": incident, "text": "Решено."}
    queued = await _post(service, headers, body)
    assert queued.status_code == 202, queued.text
    await _sent(service, headers, queued.json()["id"])
    [mail] = await _mail(address)
    assert mail["Subject"] == f"Re: [{incident}] Не работает VPN"
    assert (mail["In-Reply-To"], mail["References"]) == (theirs, theirs)
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Servicedesk-Incident"] == incident

    named = await _post(service, headers, body | {"subject": "Итоги"})
    await _sent(service, headers, named.json()["id"])
    [mail] = await _mail(address)
    assert mail["Subject"] == f"[{incident}] Итоги"
    assert mail["In-Reply-To"] == theirs


async def test_a_mail_about_an_incident_without_a_thread_has_its_key_as_subject(
    service: Service, tokens: TokenShop
) -> None:
    contact, _, address = await _person(service)
    incident = f"INC-{random.randrange(10**9, 10**10)}"
    headers = await _headers(tokens, NOTIFICATIONS)
    body = {"channel": "email", "contact_id": contact, "incident_key": incident, "text": "Ok"}
    queued = await _post(service, headers, body)
    assert queued.status_code == 202, queued.text
    await _sent(service, headers, queued.json()["id"])
    [mail] = await _mail(address)
    assert mail["Subject"] == f"[{incident}]"
    assert mail["In-Reply-To"] is None


async def test_what_cannot_be_mailed_is_a_422_naming_the_field(
    service: Service, tokens: TokenShop
) -> None:
    headers = await _headers(tokens, NOTIFICATIONS)
    _, user_id, _ = await _person(service, "sms", user=True)
    no_mail = {"channel": "email", "user_id": user_id, "text": "Hello"}
    assert _fields(await _post(service, headers, no_mail)) == ["user_id"]
    contact, _, _ = await _person(service, "sms")
    by_contact = {"channel": "email", "contact_id": contact, "text": "Hello"}
    assert _fields(await _post(service, headers, by_contact)) == ["contact_id"]
    sms = {"channel": "sms", "contact_id": contact, "text": "Hello", "subject": "Hi"}
    assert _fields(await _post(service, headers, sms)) == ["subject"]
    for subject in ("", "x" * 201, "two\nlines"):
        bad = by_contact | {"subject": subject}
        assert _fields(await _post(service, headers, bad)) == ["subject"]
