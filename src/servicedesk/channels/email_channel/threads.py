"""Which incident a mail continues: a Message-ID it answers (one we received or one we sent),
then an `[INC-000123]` tag in its subject. Either counts only for a participant: the sender
must already talk about that incident (or be its reporter), so a forged In-Reply-To cannot
reach another person's incident."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.channels.contacts.service import Person
from servicedesk.channels.email_channel.models import ReceivedMail
from servicedesk.channels.email_channel.parsing import ParsedMail
from servicedesk.channels.intake.desk import IntakeDesk
from servicedesk.channels.intake.tickets import IncidentRef
from servicedesk.channels.models import Conversation, Delivery, ProviderMessage

log = logging.getLogger(__name__)
EMAIL = "email"
SUBJECT_TAG = re.compile(r"\[\s*(INC-\d{6,18})\s*\]", re.IGNORECASE)


async def incident_answered(session: AsyncSession, ids: list[str]) -> str | None:
    """The incident of the first of `ids` that is a mail of ours or one we received."""
    if not ids:
        return None
    received = await session.execute(
        select(ReceivedMail.message_id, ReceivedMail.incident_key).where(
            ReceivedMail.message_id.in_(ids)
        )
    )
    sent = await session.execute(
        select(ProviderMessage.provider_message_id, Delivery.incident_key)
        .join(Delivery, Delivery.id == ProviderMessage.delivery_id)
        .where(ProviderMessage.provider == EMAIL, ProviderMessage.provider_message_id.in_(ids))
    )
    known = {mid: key for mid, key in [*received.all(), *sent.all()] if key}
    return next((known[i] for i in ids if i in known), None)


async def thread_of(
    session: AsyncSession, desk: IntakeDesk, person: Person, mail: ParsedMail
) -> Conversation | None:
    for how, key in (
        ("headers", await incident_answered(session, mail.thread_ids)),
        ("subject", (m.group(1).upper() if (m := SUBJECT_TAG.search(mail.subject)) else None)),
    ):
        if key is None:
            continue
        conversation = await desk.conversation(session, person, key)
        if conversation is not None:
            return conversation
        log.warning(
            "mail names an incident its sender does not take part in: a new one instead",
            extra={"incident": key, "by": how, "sender": person.identity.address},
        )
    return None


async def remember_mail(
    session: AsyncSession, mail: ParsedMail, person: Person, incident: IncidentRef
) -> None:
    """Keeps the mail's Message-ID with its incident: answers to it find the thread."""
    if mail.message_id is None:
        return
    if await session.get(ReceivedMail, mail.message_id) is not None:
        return
    session.add(
        ReceivedMail(
            message_id=mail.message_id,
            incident_id=incident.id,
            incident_key=incident.key,
            identity_id=person.identity.id,
            subject=mail.subject[:300],
        )
    )
