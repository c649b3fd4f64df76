"""Email end to end on the stack of real processes, real Postfix and Dovecot: a mail opens an
incident; the agent's public reply reaches the reporter as mail threaded on the original; the
reporter's answer becomes a comment; an auto-responder on the reporter's side causes no loop
(at most one message each way); resolving it tells the reporter in Russian, in the same thread;
a bounce marks the address undeliverable."""

from __future__ import annotations

import asyncio
import email.utils
import time

import asyncpg
import httpx

from servicedesk.kernel.mail import send_message
from servicedesk.ops.provision import admin_dsn
from tests.channels.email_desk import SMTP, deliver_raw, new_address
from tests.channels.email_samples import delivery_report, plain_mail
from tests.support.isolation import TEST_DATABASE, TEST_SUPPORT_MAILBOX
from tests.support.live_web import LiveStack
from tests.support.mailbox import Mailbox


async def _reachable(address: str) -> tuple[bool, str | None]:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        row = await connection.fetchrow(
            "select reachable, unreachable_reason from channels.identities"
            " where channel = 'email' and address = $1",
            address,
        )
    finally:
        await connection.close()
    assert row is not None
    return bool(row["reachable"]), row["unreachable_reason"]


async def _comments(agent_api: httpx.AsyncClient, key: str) -> list[str]:
    return [c["body"] for c in (await agent_api.get(f"/api/v1/incidents/{key}/comments")).json()]


async def test_a_mail_conversation_with_the_desk(
    live_stack: LiveStack, agent_api: httpx.AsyncClient
) -> None:
    reporter = new_address("reporter")
    box = Mailbox(reporter)
    original = email.utils.make_msgid(domain="example.com")
    await send_message(
        SMTP,
        plain_mail(
            f"Olga <{reporter}>",
            TEST_SUPPORT_MAILBOX,
            "Не открывается 1С",
            "При запуске 1С ошибка лицензии.",
            message_id=original,
        ),
    )
    ack = box.wait_for(lambda m: "INC-" in str(m["Subject"]), 30)
    key = str(ack["X-Servicedesk-Incident"])
    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert incident["channel"] == "email"
    assert (incident["reporter_name"], incident["reporter_email"]) == ("Olga", reporter)

    commented = await agent_api.post(
        f"/api/v1/incidents/{key}/comments",
        json={"body": "Переустановите ключ защиты, пожалуйста.", "visibility": "public"},
    )
    assert commented.status_code == 201, commented.text
    reply = box.wait_for(lambda m: "Переустановите ключ" in m.get_content(), 20)
    assert reply["In-Reply-To"] == original
    assert str(reply["Subject"]) == f"Re: [{key}] Не открывается 1С"
    assert reply["Auto-Submitted"] == "auto-replied"

    await send_message(
        SMTP,
        plain_mail(
            reporter,
            TEST_SUPPORT_MAILBOX,
            f"Re: {reply['Subject']}",
            f"Переустановил, работает.\n\n> {reply.get_content()}",
            in_reply_to=str(reply["Message-ID"]),
        ),
    )
    deadline = time.monotonic() + 20
    while "Переустановил, работает." not in await _comments(agent_api, key):
        assert time.monotonic() < deadline, await _comments(agent_api, key)
        await asyncio.sleep(0.3)

    before = len(box.messages())
    await send_message(
        SMTP,
        plain_mail(
            reporter,
            TEST_SUPPORT_MAILBOX,
            f"Автоответ: {reply['Subject']}",
            "Я в отпуске до понедельника.",
            in_reply_to=str(reply["Message-ID"]),
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    deadline = time.monotonic() + 20
    while "Я в отпуске до понедельника." not in await _comments(agent_api, key):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.3)
    await asyncio.sleep(3)
    assert len(box.messages()) == before  # the auto-reply got no answer: no loop

    resolving = await agent_api.post(
        f"/api/v1/incidents/{key}/transitions",
        json={"transition": "resolve", "fields": {"resolution": "Ключ переустановлен"}},
    )
    assert resolving.status_code == 200, resolving.text
    resolved = box.wait_for(lambda m: f"{key} решено" in m.get_content(), 20)
    assert str(resolved["References"]).split()[0] == original  # the thread's root

    deliver_raw(
        delivery_report(TEST_SUPPORT_MAILBOX, reporter, str(reply["Message-ID"])),
        TEST_SUPPORT_MAILBOX,
    )
    deadline = time.monotonic() + 20
    while (await _reachable(reporter))[0]:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.3)
    assert str((await _reachable(reporter))[1]).startswith("bounced 5.1.1")
