"""Sending mail: a reply threaded on the person's mail about the incident (In-Reply-To their
latest, References back to the first), with the incident's tag in the subject, our own
Message-ID (kept as the provider id, so answers to it find the incident) and the headers that
keep auto-responders quiet (Auto-Submitted, X-Auto-Response-Suppress)."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select

from servicedesk.channels.email_channel.models import ReceivedMail
from servicedesk.channels.email_channel.text import REPLY_ABOVE
from servicedesk.channels.email_channel.threads import EMAIL
from servicedesk.channels.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    Delivery,
    ProviderMessage,
)
from servicedesk.channels.outbound.queue import SELF
from servicedesk.channels.outbound.transport import SendFailed, Sent, Unreachable
from servicedesk.channels.settings import EmailSettings
from servicedesk.channels.texts import say
from servicedesk.kernel.db import Database
from servicedesk.kernel.mail import MailRejected, MailUnavailable, send_message

MAX_REFERENCES = 20
SUBJECT_CHARS = 78


def _first_line(delivery: Delivery) -> str:
    """A subject for a mail that names none and no incident: its text's first line."""
    line = next((s.strip() for s in delivery.body.splitlines() if s.strip()), "-")
    return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Thread:
    subject: str
    locale: str
    references: list[str]  # the root first
    answers: str | None  # In-Reply-To: the person's latest mail


class EmailTransport:
    channel = EMAIL

    def __init__(self, settings: EmailSettings, database: Database) -> None:
        self.settings = settings
        self.database = database

    def rate_key(self, delivery: Delivery) -> str | None:
        return None

    async def thread(self, delivery: Delivery, identity: ChannelIdentity | None) -> Thread:
        async with self.database.write() as session:  # the newest rows, not a standby's
            locale = "ru"
            if identity is not None:
                locale = (
                    await session.scalar(
                        select(Contact.locale).where(Contact.id == identity.contact_id)
                    )
                    or locale
                )
            if not delivery.incident_key:
                return Thread("", locale, [], None)
            received = (
                await session.execute(
                    select(ReceivedMail.message_id, ReceivedMail.subject, ReceivedMail.received_at)
                    .where(
                        ReceivedMail.incident_key == delivery.incident_key,
                        ReceivedMail.identity_id == delivery.identity_id,
                    )
                    .order_by(ReceivedMail.received_at)
                )
            ).all()
            sent = (
                await session.execute(
                    select(ProviderMessage.provider_message_id, Delivery.sent_at)
                    .join(Delivery, Delivery.id == ProviderMessage.delivery_id)
                    .where(
                        ProviderMessage.provider == EMAIL,
                        Delivery.incident_key == delivery.incident_key,
                        Delivery.address == delivery.address,
                    )
                    .order_by(Delivery.sent_at)
                )
            ).all()
            title = await session.scalar(
                select(Conversation.title).where(
                    Conversation.incident_key == delivery.incident_key,
                    Conversation.identity_id == delivery.identity_id,
                )
            )
        subject = received[0].subject if received else (title or "")
        ids = [r.message_id for r in received] + [s.provider_message_id for s in sent]
        latest = received[-1].message_id if received else (ids[-1] if ids else None)
        # the root first, the mail answered (the person's latest) last
        root = ids[:1]
        middle = [i for i in dict.fromkeys(ids[1:]) if i not in (*root, latest)]
        chain = [*root, *middle[-(MAX_REFERENCES - 2) :], *([latest] if latest else [])]
        return Thread(subject, locale, list(dict.fromkeys(chain)), latest)

    def compose(self, delivery: Delivery, thread: Thread) -> EmailMessage:
        mail = self.settings.mail
        message = EmailMessage()
        message["From"] = email.utils.formataddr(
            (say(thread.locale, "email.from_name"), mail.from_address)
        )
        message["To"] = delivery.address
        tag = f"[{delivery.incident_key}]" if delivery.incident_key else ""
        asked = str((delivery.markup or {}).get("subject") or "")  # the messages API's subject
        subject = asked or thread.subject
        if tag and tag.lower() not in subject.lower():
            subject = f"{tag} {subject}".strip()
        threaded = thread.references and not asked
        subject = subject or tag or _first_line(delivery)
        message["Subject"] = f"Re: {subject}" if threaded else subject
        message["Message-ID"] = mail.new_message_id()
        if thread.answers:
            message["In-Reply-To"] = thread.answers
            message["References"] = " ".join(thread.references)
        # our answers in a conversation are replies; what other services send (the API) is not
        message["Auto-Submitted"] = "auto-replied" if delivery.caller == SELF else "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        message["Content-Language"] = thread.locale
        if delivery.incident_key:
            message["X-Servicedesk-Incident"] = delivery.incident_key
        marker = f"{REPLY_ABOVE} {say(thread.locale, 'email.reply_above')} {REPLY_ABOVE}"
        message.set_content(f"{marker}\n\n{delivery.body}\n")
        return message

    async def send(self, delivery: Delivery, identity: ChannelIdentity | None) -> Sent:
        message = self.compose(delivery, await self.thread(delivery, identity))
        try:
            await send_message(self.settings.mail, message)
        except MailRejected as rejected:
            if rejected.refused:
                raise Unreachable(str(rejected)[:200]) from rejected
            raise SendFailed(str(rejected), retryable=False) from rejected
        except MailUnavailable as unavailable:
            raise SendFailed(str(unavailable), retryable=True) from unavailable
        return Sent(EMAIL, [str(message["Message-ID"])])
