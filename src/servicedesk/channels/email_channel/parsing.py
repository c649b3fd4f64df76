"""A raw mail read into what the desk needs: who sent it, its thread headers, its own words,
its files, and whether it is automatic or a bounce. Broken MIME and unknown charsets give what
can be read (with `defects` saying what was wrong), never an exception."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from servicedesk.channels.email_channel.attachments import MailFile
from servicedesk.channels.email_channel.noise import (
    Bounce,
    automatic_reason,
    bounced_message_id,
    bounces,
    is_report,
)
from servicedesk.channels.email_channel.text import html_to_text, without_quotes

MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
MAX_IDS = 50


@dataclass(slots=True)
class ParsedMail:
    sender: str  # lower-case address from From; "" when none
    sender_name: str
    return_path: str | None  # the envelope sender: "" is the null sender <>, None unknown
    message_id: str | None
    subject: str
    thread_ids: list[str]  # In-Reply-To first, then References newest first
    text: str
    locale: str
    automatic: str | None
    report: bool
    bounced: list[Bounce]
    bounced_id: str | None  # our mail that bounced, when the report says
    files: list[MailFile] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the policy cannot parse reads as empty
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _text_of(part: Message, defects: list[str]) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, ValueError) as error:
        defects.append(f"unreadable text part: {type(error).__name__}: {error}"[:200])
    raw = part.get_payload(decode=True)
    return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""


def _body(message: EmailMessage, defects: list[str]) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception as error:  # noqa: BLE001 - broken structure: the first text part
        defects.append(f"broken structure: {error}"[:200])
        part = None
    if part is None:
        part = next((p for p in message.walk() if p.get_content_maintype() == "text"), None)
    if part is None:
        return _unparted(message)
    text = _text_of(part, defects)
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def _unparted(message: EmailMessage) -> str:
    """The text of a multipart without a usable boundary: its lines that are no MIME lines."""
    payload = message.get_payload()
    if not isinstance(payload, str):
        return ""
    lines = payload.splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith(("--", "Content-"))).strip()


def _files(message: EmailMessage, defects: list[str]) -> list[MailFile]:
    found: list[MailFile] = []
    try:
        parts = list(message.iter_attachments())
    except Exception as error:  # noqa: BLE001
        defects.append(f"attachments unreadable: {error}"[:200])
        return found
    for number, part in enumerate(parts, start=1):
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes) or part.get_content_type().startswith("multipart/"):
            continue
        name = part.get_filename() or f"attachment-{number}"
        found.append(MailFile(name[:200], part.get_content_type(), content))
    return found


def _return_path(message: Message) -> str | None:
    value = _header(message, "Return-Path")
    if not value:
        return None
    return email.utils.parseaddr(value)[1].lower() if value != "<>" else ""


def _locale(message: Message, text: str) -> str:
    language = _header(message, "Content-Language").lower()
    if language:
        return "ru" if language.startswith(("ru", "uk", "be", "kk")) else "en"
    return "ru" if CYRILLIC.search(text) else "en"


def parse_mail(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    defects = [type(d).__name__ for d in message.defects]
    name, address = email.utils.parseaddr(_header(message, "From"))
    subject = _header(message, "Subject")
    ids = MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    ids += reversed(MESSAGE_ID.findall(_header(message, "References")))
    own = MESSAGE_ID.findall(_header(message, "Message-ID"))
    report = is_report(message)
    text = "" if report else without_quotes(_body(message, defects))
    return ParsedMail(
        sender=address.lower() if "@" in address else "",
        sender_name=name.strip()[:200],
        return_path=_return_path(message),
        message_id=own[0] if own else None,
        subject=subject[:300],
        thread_ids=list(dict.fromkeys(ids))[:MAX_IDS],
        text=text,
        locale=_locale(message, f"{subject}\n{text}"),
        automatic=automatic_reason(message, _return_path(message)),
        report=report,
        bounced=bounces(message) if report else [],
        bounced_id=bounced_message_id(message) if report else None,
        files=[] if report else _files(message, defects),
        defects=defects,
    )
