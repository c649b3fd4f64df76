"""What an inbound mail becomes. A delivery report marks the bounced addresses unreachable; a
mail continuing a thread (threads.py) is a comment on its incident; any other mail opens an
incident (within the hourly limit per contact) and is acknowledged by mail, unless it is
automatic (noise.py) or its sender had their automatic replies for the hour. Its files are
attached within limits; those skipped are named, with the reason, in the incident's text."""

from __future__ import annotations

import base64
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from servicedesk.channels.contacts.service import Person, bind_to_user, person_at
from servicedesk.channels.email_channel.attachments import MailFile, Skipped, sort_out
from servicedesk.channels.email_channel.directory import user_by_email
from servicedesk.channels.email_channel.noise import machine_made
from servicedesk.channels.email_channel.parsing import ParsedMail, parse_mail
from servicedesk.channels.email_channel.threads import EMAIL, remember_mail, thread_of
from servicedesk.channels.intake.desk import Flooded, IntakeDesk
from servicedesk.channels.intake.tickets import IncidentRef, Refused
from servicedesk.channels.intake.turn import Turn
from servicedesk.channels.metrics import MESSAGES_IN
from servicedesk.channels.models import (
    ChannelIdentity,
    Conversation,
    Delivery,
    InboxItem,
    ProviderMessage,
)
from servicedesk.channels.outbound.queue import SELF
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import EmailSettings
from servicedesk.channels.texts import say
from servicedesk.kernel.db import WriteSession

log = logging.getLogger(__name__)


def _display(mail: ParsedMail) -> str:
    return mail.sender_name or mail.sender  # the address is the incident's reporter_email


def _with_skipped(text: str, skipped: list[Skipped]) -> str:
    if not skipped:
        return text
    lines = "\n".join(f"- {s.name}: {s.reason}" for s in skipped)
    return f"{text}\n\n[Not attached / Не приложено]\n{lines}"


class EmailIntake:
    def __init__(
        self, desk: IntakeDesk, directory: RealmDirectory, settings: EmailSettings
    ) -> None:
        self.desk = desk
        self.directory = directory
        self.settings = settings
        self.own = frozenset(a.lower() for a in settings.mailboxes)

    async def handle(self, session: WriteSession, item: InboxItem) -> str:
        outcome = await self._handle(session, item)
        MESSAGES_IN.labels(EMAIL, outcome).inc()
        log.info("mail handled", extra={"item": item.id, "outcome": outcome})
        return outcome

    async def _handle(self, session: WriteSession, item: InboxItem) -> str:
        if "rejected" in item.payload:
            log.warning(
                "mail kept in the failed folder", extra={"reason": item.payload["rejected"]}
            )
            return "rejected"
        mail = parse_mail(base64.b64decode(item.payload["raw"]))
        if mail.defects:
            log.info(
                "mail with defects read as far as it goes", extra={"defects": mail.defects[:5]}
            )
        if mail.report:
            return await self._bounced(session, mail)
        if not mail.sender or mail.return_path == "":
            return "no-sender"
        if mail.sender in self.own:
            return "own-mail"  # a loop through our own mailbox
        person = await self._person(session, mail)
        turn = Turn(session, person, f"email:{item.source}:{item.external_id}")
        target = await thread_of(session, self.desk, person, mail)
        if target is not None:
            return await self._comment(turn, target, mail)
        if machine_made(mail.automatic):
            log.info("automatic mail outside any thread ignored", extra={"why": mail.automatic})
            return "automatic-ignored"
        return await self._open(turn, mail, self.settings.group_of(item.payload.get("mailbox")))

    async def _person(self, session: WriteSession, mail: ParsedMail) -> Person:
        user = await user_by_email(self.directory, mail.sender)
        person = await person_at(
            session, EMAIL, mail.sender, display=_display(mail), locale=mail.locale, user=user
        )
        if user is not None and person.contact.user_id != user.id:
            person = await bind_to_user(session, person, user.id, user.username, user.name)
        if person.contact.user_id is None and person.contact.name == mail.sender:
            person.contact.name = _display(mail)[:200]  # a name learnt later
        if not person.identity.reachable and not mail.automatic:
            person.identity.reachable, person.identity.unreachable_reason = True, None
        return person

    async def _open(self, turn: Turn, mail: ParsedMail, group: str | None) -> str:
        kept, skipped = sort_out(mail.files, self.settings)
        text = mail.text or mail.subject or ", ".join(f.name for f in mail.files) or "-"
        try:
            opened = await self.desk.open_incident(
                turn.session,
                turn.person,
                key=turn.next_key("incident"),
                title=mail.subject or text,
                description=_with_skipped(text, skipped),
                group=group,
            )
        except Flooded:
            await self._answer(turn, mail, "bot.flood_no_open", limit=self.desk.per_hour)
            return "flooded"
        except Refused as refused:
            log.warning("tickets refused a mail's incident", extra={"reason": refused.detail})
            await self._answer(turn, mail, "bot.refused", reason=refused.detail)
            return "refused"
        incident = opened.incident
        await remember_mail(turn.session, mail, turn.person, incident)
        await self._attach(incident, kept, skipped)
        text_id = "bot.flood" if opened.flooded else "email.created"
        await self._answer(
            turn,
            mail,
            text_id,
            limit=self.desk.per_hour,
            ref=incident.key,
            incident_id=incident.id,
            incident_key=incident.key,
        )
        return "flood-comment" if opened.flooded else "created"

    async def _comment(self, turn: Turn, target: Conversation, mail: ParsedMail) -> str:
        kept, skipped = sort_out(mail.files, self.settings)
        text = mail.text or ", ".join(f.name for f in mail.files) or mail.subject or "-"
        try:
            incident = await self.desk.comment(
                turn.session,
                turn.person,
                target,
                key=turn.next_key("comment"),
                body=_with_skipped(text, skipped),
            )
        except Refused as refused:
            log.warning("tickets refused a mail's comment", extra={"reason": refused.detail})
            return "refused"
        await remember_mail(turn.session, mail, turn.person, incident)
        await self._attach(incident, kept, skipped)
        return "automatic-comment" if mail.automatic else "commented"

    async def _attach(
        self, incident: IncidentRef, kept: list[MailFile], skipped: list[Skipped]
    ) -> None:
        for found in kept:
            try:
                await self.desk.tickets.attach(
                    incident.key, found.name, found.content, found.content_type
                )
            except Refused as refused:
                skipped.append(Skipped(found.name, refused.detail))
        for lost in skipped:
            log.warning(
                "mail attachment not attached",
                extra={"incident": incident.key, "file": lost.name, "reason": lost.reason},
            )

    async def _answer(
        self,
        turn: Turn,
        mail: ParsedMail,
        text_id: str,
        *,
        incident_id: uuid.UUID | None = None,
        incident_key: str | None = None,
        **params: object,
    ) -> None:
        """An automatic reply, unless the mail must not have one or the sender had enough."""
        if mail.automatic:
            return
        since = datetime.now(UTC) - timedelta(hours=1)
        sent = await turn.session.scalar(
            select(func.count()).where(
                Delivery.channel == EMAIL,
                Delivery.address == turn.person.identity.address,
                Delivery.caller == SELF,
                Delivery.idempotency_key.like("email:%"),
                Delivery.created_at >= since,
            )
        )
        if int(sent or 0) >= self.settings.auto_replies_per_hour:
            log.info("automatic reply held back: the sender's limit for the hour is reached")
            return
        text = say(turn.person.locale, text_id, **params)
        await turn.reply_text(text, incident_id=incident_id, incident_key=incident_key)

    async def _bounced(self, session: WriteSession, mail: ParsedMail) -> str:
        for bounce in mail.bounced:
            identity = await session.scalar(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == EMAIL, ChannelIdentity.address == bounce.address
                )
            )
            log.warning(
                "mail to an address bounced",
                extra={"address": bounce.address, "status": bounce.status, "known": bool(identity)},
            )
            if identity is not None:
                identity.reachable = False
                identity.unreachable_reason = f"bounced {bounce.status}: {bounce.reason}"[:200]
        if mail.bounced and mail.bounced_id:
            await self._delivery_failed(session, mail)
        return "bounce" if mail.bounced else "report-ignored"

    @staticmethod
    async def _delivery_failed(session: WriteSession, mail: ParsedMail) -> None:
        """Our delivery that bounced is failed, with the report's reason."""
        delivery = await session.scalar(
            select(Delivery)
            .join(ProviderMessage, ProviderMessage.delivery_id == Delivery.id)
            .where(
                ProviderMessage.provider == EMAIL,
                ProviderMessage.provider_message_id == mail.bounced_id,
            )
        )
        if delivery is not None:
            first = mail.bounced[0]
            delivery.status = "failed"
            delivery.last_error = f"bounced {first.status}: {first.reason}"[:2000]
            delivery.updated_at = datetime.now(UTC)
