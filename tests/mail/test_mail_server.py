"""The local mail servers the bootstrap runs (docs/mail.md): mail sent through the kernel's
`send_message` to Postfix arrives intact in Dovecot, where IMAP reads it and IDLE announces it.

Test mail goes to `<local>+sdtest@<domain>` only: a mailbox of its own, never a demo user's.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import aioimaplib
import pytest

from servicedesk.kernel.mail import MailRejected, MailSettings, MailUnavailable, send_message
from tests.support.mailbox import IMAP_HOST, IMAP_PORT, PASSWORD, Mailbox, tagged_address

SOMEONE = tagged_address("someone")  # someone+sdtest@example.com
SETTINGS = MailSettings()


@pytest.fixture(scope="module", autouse=True)
def mail_servers_up() -> None:
    for name, port in (("Postfix SMTP", SETTINGS.smtp_port), ("Dovecot IMAP", IMAP_PORT)):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                pytest.fail(f"{name} is not running on :{port}: run `bash scripts/bootstrap.sh`")


@pytest.fixture
def someone() -> Iterator[Mailbox]:
    box = Mailbox(SOMEONE)
    box.clear()
    yield box
    box.clear()


def token() -> str:
    return uuid.uuid4().hex[:12]


def plain_message(to: str, subject: str, text: str = "Проверка связи.") -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    return message


async def arrived(box: Mailbox, mark: str, timeout_s: float = 10) -> EmailMessage:
    return await asyncio.to_thread(box.wait_for, lambda m: mark in str(m["Subject"]), timeout_s)


async def test_a_multipart_message_arrives_intact(someone: Mailbox) -> None:
    mark = token()
    subject = f"Инцидент INC-42: не печатает принтер на 3-м этаже [{mark}]"
    message = EmailMessage()
    message["From"] = "Служба поддержки <support@servicedesk.local>"
    message["To"] = f"Иван Петров <{SOMEONE}>"
    message["Subject"] = subject
    message["In-Reply-To"] = "<inc-42@servicedesk.local>"
    message["References"] = "<inc-42@servicedesk.local>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("Здравствуйте!\nИнцидент INC-42 взят в работу.\n")
    message.add_alternative(
        "<p>Здравствуйте!</p><p>Инцидент <b>INC-42</b> взят в работу.</p>", subtype="html"
    )

    await send_message(SETTINGS, message)

    got = await arrived(someone, mark)
    assert got["Subject"] == subject
    assert got["From"].addresses[0].display_name == "Служба поддержки"
    assert got["From"].addresses[0].addr_spec == "support@servicedesk.local"
    assert got["To"].addresses[0].display_name == "Иван Петров"
    assert got["To"].addresses[0].addr_spec == SOMEONE
    assert got["Message-ID"] == message["Message-ID"]  # set by send_message, on our domain
    assert str(message["Message-ID"]).endswith("@servicedesk.local>")
    assert got["Date"] is not None
    assert got["In-Reply-To"] == "<inc-42@servicedesk.local>"
    assert got["References"] == "<inc-42@servicedesk.local>"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.get_content_type() == "multipart/alternative"
    text = got.get_body(preferencelist=("plain",))
    html = got.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == "Здравствуйте!\nИнцидент INC-42 взят в работу.\n"
    assert "<b>INC-42</b> взят в работу" in html.get_content()


async def test_the_tagged_address_is_a_mailbox_apart_from_the_plain_one(
    someone: Mailbox,
) -> None:
    plain = Mailbox("someone@example.com")
    mark = token()
    await send_message(SETTINGS, plain_message(SOMEONE, f"direct {mark}"))
    # With a recipient tag, mail for the plain address goes to the tagged one instead.
    tagged = MailSettings(recipient_tag="sdtest")
    assert tagged.to_address("someone@example.com") == SOMEONE
    await send_message(tagged, plain_message("someone@example.com", f"through the tag {mark}"))

    await arrived(someone, f"direct {mark}")
    got = await arrived(someone, f"through the tag {mark}")
    assert got["To"] == "someone@example.com"  # the headers stay as written
    assert not [m for m in plain.messages() if mark in str(m["Subject"])]


async def test_idle_announces_a_new_delivery(someone: Mailbox) -> None:
    client = aioimaplib.IMAP4(host=IMAP_HOST, port=IMAP_PORT, timeout=10)
    await client.wait_hello_from_server()
    assert (await client.login(SOMEONE, PASSWORD)).result == "OK"
    assert (await client.select("INBOX")).result == "OK"
    idle = await client.idle_start(timeout=20)
    try:
        await send_message(SETTINGS, plain_message(SOMEONE, f"pushed {token()}"))
        pushed: list[bytes] = []
        while not any(line.endswith(b"EXISTS") for line in pushed):
            pushed += await client.wait_server_push(timeout=10)
    finally:
        client.idle_done()
        await asyncio.wait_for(idle, 10)
        await client.logout()
    assert b"1 EXISTS" in pushed


async def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = MailSettings(smtp_port=port, smtp_timeout_s=2)
    with pytest.raises(MailUnavailable, match="unavailable"):
        await send_message(settings, plain_message(SOMEONE, "never sent"))


async def test_a_refused_recipient_is_rejected_and_named(someone: Mailbox) -> None:
    mark = token()
    message = plain_message(SOMEONE, f"half refused {mark}")
    message["Cc"] = "nobody@[300.1.1.1]"  # Postfix: 501 5.1.3 Bad recipient address syntax
    with pytest.raises(MailRejected) as refused:
        await send_message(SETTINGS, message)
    assert list(refused.value.refused) == ["nobody@[300.1.1.1]"]
    assert refused.value.refused["nobody@[300.1.1.1]"].startswith("501 ")
    await arrived(someone, mark)  # the other recipient has it

    alone = plain_message("nobody@[300.1.1.1]", "refused")
    with pytest.raises(MailRejected, match="every recipient refused"):
        await send_message(SETTINGS, alone)
