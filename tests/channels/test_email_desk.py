"""The email channel on the real Postfix, Dovecot, Keycloak and database, with tickets
in-process: a mail opens an incident and is acknowledged by a threaded mail in the sender's
language; the answer to it is a comment without the quoted history; an auto-responder gets no
answer (no loop); acknowledgements per sender are limited; a bounce marks the address; a forged
In-Reply-To opens a new incident; broken, huge and booby-trapped mail has a clear outcome."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest

from tests.channels.email_desk import (
    EmailDesk,
    append_raw,
    deliver_raw,
    email_desk,
    folder_size,
    new_address,
)
from tests.channels.email_samples import (
    broken_mime,
    delivery_report,
    plain_mail,
    zip_bomb,
)
from tests.support.mailbox import Mailbox
from tests.support.tokens import TokenShop


@pytest.fixture
async def desk(tokens: TokenShop) -> AsyncIterator[EmailDesk]:
    async with email_desk(tokens) as opened:
        yield opened


def _msgid() -> str:
    return email.utils.make_msgid(domain="example.com")


async def _incident_of(desk: EmailDesk, message_id: str) -> str:
    rows = await desk.rows(
        "select incident_key from channels.email_messages where message_id = :m", m=message_id
    )
    assert rows, f"no incident for {message_id}"
    return str(rows[0][0])


async def _comments(desk: EmailDesk, key: str) -> list[str]:
    return [c["body"] for c in (await desk.agent.get(f"/api/v1/incidents/{key}/comments")).json()]


async def _mail_to(address: str, count: int, wait_s: float = 2) -> list[EmailMessage]:
    """The mailbox's messages once it holds `count` (and no more after `wait_s`)."""
    box = Mailbox(address)
    if count:
        box.wait_for(lambda _: len(box.messages()) >= count, 10)
    await asyncio.sleep(wait_s)
    found = box.messages()
    assert len(found) == count, [str(m["Subject"]) for m in found]
    return found


async def _opened(desk: EmailDesk, sender: str, subject: str, text: str) -> tuple[str, str]:
    """A mail from `sender` opens an incident; its key and the acknowledgement's Message-ID."""
    original = _msgid()
    await desk.deliver(plain_mail(sender, desk.address, subject, text, message_id=original))
    assert await desk.settle(sender) == ["created"]
    key = await _incident_of(desk, original)
    [ack] = await _mail_to(sender, 1, wait_s=0)
    assert ack["In-Reply-To"] == original
    assert key in str(ack["Subject"])
    return key, str(ack["Message-ID"])


async def test_a_mail_opens_an_incident_and_the_answer_to_the_ack_is_a_comment(
    desk: EmailDesk,
) -> None:
    anna = new_address("anna")
    original = _msgid()
    await desk.deliver(
        plain_mail(
            f"Анна Петрова <{anna}>",
            desk.address,
            "Не работает VPN",
            "С утра не подключается VPN.\nОшибка 809.",
            message_id=original,
        )
    )
    assert await desk.settle(anna) == ["created"]
    key = await _incident_of(desk, original)
    incident = (await desk.agent.get(f"/api/v1/incidents/{key}")).json()
    assert (incident["channel"], incident["title"]) == ("email", "Не работает VPN")
    assert "Ошибка 809." in incident["description"]

    [ack] = await _mail_to(anna, 1)
    assert ack["Subject"] == f"Re: [{key}] Не работает VPN"
    assert (ack["In-Reply-To"], ack["References"]) == (original, original)
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert "зарегистрировано" in ack.get_content()

    answer = plain_mail(
        anna,
        desk.address,
        f"Re: {ack['Subject']}",
        f"Перезагрузил, не помогло.\n\nOn today, Desk wrote:\n> {ack.get_content()}",
        message_id=_msgid(),
        in_reply_to=str(ack["Message-ID"]),
    )
    await desk.deliver(answer)
    assert await desk.settle(anna) == ["commented"]
    assert await _comments(desk, key) == ["Перезагрузил, не помогло."]
    await _mail_to(anna, 1)  # a comment is not acknowledged


async def test_an_auto_responder_gets_no_answer_so_there_is_no_loop(desk: EmailDesk) -> None:
    bob = new_address("bob")
    key, ack_id = await _opened(desk, bob, "Printer jam", "Floor 2 printer jams.")
    out_of_office = plain_mail(
        bob,
        desk.address,
        "Automatic reply: Printer jam",
        "I am out of office until Monday.",
        message_id=_msgid(),
        in_reply_to=ack_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    await desk.deliver(out_of_office)
    assert await desk.settle(bob) == ["automatic-comment"]
    await _mail_to(bob, 1)  # still only the acknowledgement: one message each way
    assert await _comments(desk, key) == ["I am out of office until Monday."]

    stranger = new_address("robot")
    for headers in ({"Auto-Submitted": "auto-generated"}, {"Precedence": "bulk"}):
        await desk.deliver(
            plain_mail(stranger, desk.address, "Weekly digest", "news", headers=headers)
        )
    assert await desk.settle(stranger, expect=2) == ["automatic-ignored", "created"]
    await _mail_to(stranger, 0)  # a bulk mail opens an incident but hears nothing


async def test_acknowledgements_to_one_sender_are_limited_per_hour(tokens: TokenShop) -> None:
    async with email_desk(tokens, auto_replies_per_hour=2) as desk:
        carol = new_address("carol")
        for n in range(3):
            await desk.deliver(plain_mail(carol, desk.address, f"Problem {n}", "text"))
        assert await desk.settle(carol, expect=3) == ["created"] * 3
        await _mail_to(carol, 2)


async def test_a_bounce_marks_the_address_undeliverable_and_opens_nothing(
    desk: EmailDesk,
) -> None:
    dave = new_address("dave")
    _, ack_id = await _opened(desk, dave, "Laptop", "It does not boot.")
    deliver_raw(delivery_report(desk.address, dave, ack_id), desk.address)
    assert await desk.settle(expect=1) == ["bounce"]
    [(reachable, reason)] = await desk.rows(
        "select reachable, unreachable_reason from channels.identities"
        " where channel = 'email' and address = :a",
        a=dave,
    )
    assert not reachable
    assert reason.startswith("bounced 5.1.1")
    [(status, error)] = await desk.rows(
        "select d.status, d.last_error from channels.deliveries d join channels.provider_messages"
        " p on p.delivery_id = d.id where p.provider = 'email' and p.provider_message_id = :m",
        m=ack_id,
    )
    assert (status, error.split(":")[0]) == ("failed", "bounced 5.1.1")


async def test_a_new_uidvalidity_reads_the_mailbox_again_without_doubling(
    desk: EmailDesk,
) -> None:
    hana = new_address("hana")
    await desk.deliver(plain_mail(hana, desk.address, "Scanner", "offline", message_id=_msgid()))
    assert await desk.settle(hana) == ["created"]
    await desk.rows(
        "update channels.email_mailboxes set uidvalidity = 1, last_uid = 999 where mailbox = :m",
        m=desk.address,
    )
    await desk.deliver(plain_mail(hana, desk.address, "Scanner 2", "still", message_id=_msgid()))
    assert await desk.settle(hana) == ["created"]  # the first mail is not stored again
    [(last_uid, stored)] = await desk.rows(
        "select m.last_uid, (select count(*) from channels.inbox"
        " where payload->>'mailbox' = m.mailbox) from channels.email_mailboxes m"
        " where m.mailbox = :m",
        m=desk.address,
    )
    assert (last_uid, stored) == (2, 2)


async def test_a_forged_in_reply_to_does_not_reach_another_persons_incident(
    desk: EmailDesk,
) -> None:
    erin, mallory = new_address("erin"), new_address("mallory")
    key, ack_id = await _opened(desk, erin, "Salary question", "Private details.")
    forged_id = _msgid()
    await desk.deliver(
        plain_mail(
            mallory,
            desk.address,
            f"Re: [{key}]",
            "Let me in",
            message_id=forged_id,
            in_reply_to=ack_id,
        )
    )
    assert await desk.settle(mallory) == ["created"]
    assert await _incident_of(desk, forged_id) != key
    assert await _comments(desk, key) == []


async def test_broken_huge_and_booby_trapped_mail_each_have_a_clear_outcome(
    desk: EmailDesk,
) -> None:
    frank = new_address("frank")
    deliver_raw(broken_mime(frank, desk.address), desk.address, sender=frank)
    assert await desk.settle(frank) == ["created"]
    [(key,)] = await desk.rows(
        "select incident_key from channels.conversations c join channels.identities i"
        " on i.id = c.identity_id where i.address = :a",
        a=frank,
    )
    assert (
        "Printer on floor 3"
        in (await desk.agent.get(f"/api/v1/incidents/{key}")).json()["description"]
    )

    huge = plain_mail(frank, desk.address, "Huge", "see the attachment")
    huge.add_attachment(b"\x00" * (30 * 1024 * 1024), "application", "octet-stream", filename="x")
    append_raw(huge.as_bytes(), desk.address)
    assert await desk.settle(expect=1, timeout_s=60) == ["rejected"]
    assert folder_size(desk.address, "failed") == 1

    bombed = plain_mail(frank, desk.address, "Logs", "zipped logs attached")
    bombed.add_attachment(zip_bomb(), "application", "zip", filename="logs.zip")
    bombed_id = _msgid()
    bombed["Message-ID"] = bombed_id
    await desk.deliver(bombed)
    assert await desk.settle(frank) == ["created"]
    bomb_key = await _incident_of(desk, bombed_id)
    description = (await desk.agent.get(f"/api/v1/incidents/{bomb_key}")).json()["description"]
    assert "logs.zip: zip bomb" in description
    files = (await desk.agent.get(f"/api/v1/incidents/{bomb_key}/attachments")).json()
    assert files == [] or files.get("items") == []


async def test_a_mail_stored_twice_is_handled_once_and_the_mark_follows(desk: EmailDesk) -> None:
    gina = new_address("gina")
    same = plain_mail(gina, desk.address, "Twice", "once", message_id=_msgid())
    await desk.deliver(same)
    await desk.deliver(same)
    assert await desk.settle(gina) == ["created"]
    await asyncio.sleep(2)
    assert await desk.settle(gina, expect=0) == []
    [(last_uid,)] = await desk.rows(
        "select last_uid from channels.email_mailboxes where mailbox = :m", m=desk.address
    )
    assert last_uid == 2


async def _group_id(tokens: TokenShop, name: str) -> str:
    async with email_desk(tokens) as plain:
        found = await plain.agent.get("/api/v1/directory/groups", params={"q": name})
    assert found.status_code == 200, found.text
    return str(next(g["id"] for g in found.json() if g["name"] == name))


async def _mailed_incident(desk: EmailDesk, subject: str) -> dict[str, object]:
    sender, original = new_address("gleb"), _msgid()
    await desk.deliver(plain_mail(sender, desk.address, subject, "Text.", message_id=original))
    assert await desk.settle(sender) == ["created"]
    key = await _incident_of(desk, original)
    incident: dict[str, object] = (await desk.agent.get(f"/api/v1/incidents/{key}")).json()
    return incident


async def test_a_mailbox_with_a_group_opens_its_incidents_in_that_group(
    tokens: TokenShop,
) -> None:
    group = await _group_id(tokens, "second-line")
    async with email_desk(tokens, group=group) as grouped:
        incident = await _mailed_incident(grouped, "Billing export fails")
    assert (incident["group_id"], incident["group_name"]) == (group, "second-line")


async def test_a_group_tickets_refuses_is_left_out_and_the_mail_still_opens_an_incident(
    tokens: TokenShop,
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    async with email_desk(tokens, group=missing) as grouped:
        incident = await _mailed_incident(grouped, "Scanner offline")
    assert (incident["group_id"], incident["title"]) == (None, "Scanner offline")
