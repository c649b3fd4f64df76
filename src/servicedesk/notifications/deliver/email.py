"""Mail to a person: one notification, or a digest of several about one item; a text and an
HTML part, threaded per person and item (Message-ID, In-Reply-To, References), marked as
automatic so auto-responders stay quiet, with a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from servicedesk.notifications.catalogue import Kind
from servicedesk.notifications.texts import label, text

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class Thread:
    root: str
    last: str


@dataclass(frozen=True, slots=True)
class Letter:
    to: str
    lang: str
    timezone: str
    kind: Kind
    key: str  # the item's key, or "" for a summary of several items
    subject: str
    open_label: str
    item_url: str
    settings_url: str
    unsubscribe_url: str
    items: list[dict[str, Any]]  # title, body, created_at of each notification


def _when(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def compose(letter: Letter, sender: str, message_id: str, thread: Thread | None) -> EmailMessage:
    lang = letter.lang
    context = {
        "lang": lang,
        "items": [{**n, "when": _when(n["created_at"], letter.timezone)} for n in letter.items],
        "item_url": letter.item_url,
        "settings_url": letter.settings_url,
        "unsubscribe_url": letter.unsubscribe_url,
        "open_label": letter.open_label,
        "why": text(lang, "notifications.mail.why"),
        "settings_label": text(lang, "notifications.mail.settings"),
        "unsubscribe_label": text(
            lang,
            "notifications.mail.unsubscribe",
            kind=label(lang, f"notifications.kind.{letter.kind.value}", letter.kind.value),
        ),
    }
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = message_id
    if thread is not None:
        message["In-Reply-To"] = thread.last
        message["References"] = (
            thread.root if thread.root == thread.last else (f"{thread.root} {thread.last}")
        )
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Precedence"] = "bulk"
    message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Content-Language"] = lang
    if letter.key:
        message["X-Servicedesk-Item"] = letter.key
    message.set_content(TEMPLATES.get_template("mail.txt.j2").render(context))
    message.add_alternative(TEMPLATES.get_template("mail.html.j2").render(context), subtype="html")
    return message
