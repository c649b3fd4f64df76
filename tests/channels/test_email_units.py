"""Reading mail without a server: its own words (plain or sanitised HTML, quotes cut), thread
headers, what must get no automatic answer, delivery reports, attachment limits and zip bombs,
broken MIME and unknown charsets."""

from __future__ import annotations

import pytest

from servicedesk.channels.email_channel.attachments import MailFile, sort_out
from servicedesk.channels.email_channel.parsing import parse_mail
from servicedesk.channels.email_channel.text import REPLY_ABOVE, without_quotes
from servicedesk.channels.settings import EmailSettings
from tests.channels.email_samples import (
    broken_mime,
    delivery_report,
    html_mail,
    plain_mail,
    zip_bomb,
)

DESK = "support+sdtest@servicedesk.local"
ANNA = "Anna Petrova <anna+sdtest@example.com>"


def test_a_plain_mail_gives_sender_subject_text_and_language() -> None:
    mail = parse_mail(
        plain_mail(ANNA, DESK, "Не печатает принтер", "Принтер на 3 этаже").as_bytes()
    )
    assert (mail.sender, mail.sender_name) == ("anna+sdtest@example.com", "Anna Petrova")
    assert (mail.subject, mail.text, mail.locale) == (
        "Не печатает принтер",
        "Принтер на 3 этаже",
        "ru",
    )
    assert mail.automatic is None
    assert not mail.report


def test_html_is_read_without_scripts_styles_or_quoted_history() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>VPN drops every <b>10&nbsp;minutes</b></p><div>since Monday</div>"
        "<blockquote>On Mon we wrote: old text</blockquote></body></html>"
    )
    mail = parse_mail(html_mail(ANNA, DESK, "VPN", html).as_bytes())
    assert mail.text.replace("\xa0", " ") == "VPN drops every 10 minutes\n\nsince Monday"
    assert "alert" not in mail.text
    assert "color" not in mail.text
    assert "old text" not in mail.text


@pytest.mark.parametrize(
    "history",
    [
        "On Tue, 3 Dec 2026 at 10:00, Desk <support@servicedesk.local> wrote:\n> old",
        "3 дек. 2026 г., в 10:00, Служба поддержки пишет:\n> старое",
        "-----Original Message-----\nFrom: Desk\nold",
        "From: Desk <support@servicedesk.local>\nSent: today\nold",
        f"> {REPLY_ABOVE} Reply above this line {REPLY_ABOVE}\n> old",
    ],
)
def test_quoted_history_is_cut(history: str) -> None:
    assert without_quotes(f"Still broken.\nThanks\n\n{history}") == "Still broken.\nThanks"


def test_thread_headers_in_reply_to_first_then_references_newest_first() -> None:
    mail = plain_mail(ANNA, DESK, "Re: x", "y", in_reply_to="<b@x>")
    mail.replace_header("References", "<a@x> <b@x>")
    assert parse_mail(mail.as_bytes()).thread_ids == ["<b@x>", "<a@x>"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto-submitted: auto-replied"),
        ({"Auto-Submitted": "no"}, None),
        ({"List-Id": "<staff.example.com>"}, "mailing list"),
        ({"Precedence": "bulk"}, "precedence: bulk"),
        ({"Precedence": "junk"}, "precedence: junk"),
        ({"Return-Path": "<>"}, "null sender"),
        ({"X-Autoreply": "yes"}, "auto-reply header"),
        ({}, None),
    ],
)
def test_mail_that_gets_no_automatic_answer(headers: dict[str, str], reason: str | None) -> None:
    assert parse_mail(plain_mail(ANNA, DESK, "s", "t", headers=headers).as_bytes()).automatic == (
        reason
    )


def test_a_delivery_report_names_the_failed_address_and_is_no_request() -> None:
    mail = parse_mail(delivery_report(DESK, "ghost+sdtest@example.com", "<ours@servicedesk.local>"))
    assert mail.report
    assert mail.text == ""
    assert mail.files == []
    assert mail.bounced_id == "<ours@servicedesk.local>"
    [bounce] = mail.bounced
    assert (bounce.address, bounce.status) == ("ghost+sdtest@example.com", "5.1.1")
    assert "Recipient address rejected" in bounce.reason


def test_broken_mime_and_an_unknown_charset_still_give_the_text() -> None:
    mail = parse_mail(broken_mime("anna+sdtest@example.com", DESK))
    assert mail.sender == "anna+sdtest@example.com"
    assert "Printer on floor 3 is broken" in mail.text
    assert mail.defects


def test_garbage_is_a_mail_without_a_sender_not_an_exception() -> None:
    mail = parse_mail(b"\x00\xff garbage \r\n\r\n\x80\x81")
    assert mail.sender == ""


def test_attachments_within_limits_are_kept_and_the_rest_skipped_with_a_reason() -> None:
    settings = EmailSettings(max_attachment_bytes=1000, max_attachments=2)
    files = [
        MailFile("a.txt", "text/plain", b"a"),
        MailFile("big.pdf", "application/pdf", b"%PDF-" + bytes(2000)),
        MailFile("b.txt", "text/plain", b"b"),
        MailFile("c.txt", "text/plain", b"c"),
    ]
    kept, skipped = sort_out(files, settings)
    assert [f.name for f in kept] == ["a.txt", "b.txt"]
    assert [(s.name, s.reason) for s in skipped] == [
        ("big.pdf", "larger than 1000 bytes"),
        ("c.txt", "more than 2 files"),
    ]


def test_a_zip_bomb_is_skipped_without_unpacking_it() -> None:
    bomb = zip_bomb()
    assert len(bomb) < 100 * 1024
    kept, skipped = sort_out([MailFile("report.zip", "application/zip", bomb)], EmailSettings())
    assert kept == []
    assert skipped[0].reason.startswith("zip bomb")


def test_the_settings_name_a_group_per_mailbox_by_its_keycloak_id() -> None:
    group = "0b6f1c9e-5d1a-4a55-9a53-1f3a3d4c2b10"
    settings = EmailSettings(
        mailboxes=("Support@Desk.Local", "billing@desk.local"),
        groups={"support@desk.local ": group},
    )
    assert settings.group_of("SUPPORT@desk.local") == group
    assert settings.group_of("billing@desk.local") is None
    assert settings.group_of(None) is None


@pytest.mark.parametrize(
    ("groups", "reason"),
    [
        ({"other@desk.local": "first-line"}, "not one of the mailboxes"),
        ({"support@desk.local": "/support/first-line"}, "Keycloak group id"),
    ],
    ids=["unknown-mailbox", "group-path"],
)
def test_a_group_setting_that_cannot_work_is_refused_at_start(
    groups: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        EmailSettings(mailboxes=("support@desk.local",), groups=groups)
