"""What an inbound SMS becomes. From a phone in a realm user's Keycloak profile (asked on
every message): that user's incident; from an unknown phone: an outside contact's. A text
starting with an incident number (`INC-000123 …`, `INC 123 …`, `#123 …`) is a comment on it
(which resumes or reopens it per the workflow); any other text opens an incident, within the
hourly limit per contact. Replies go back by SMS with the incident number."""

from __future__ import annotations

import re

from servicedesk.channels.contacts.service import SMS, bind_to_user, person_at
from servicedesk.channels.intake.desk import CLOSED_STATUSES, Flooded, IntakeDesk
from servicedesk.channels.intake.tickets import Refused
from servicedesk.channels.intake.turn import Turn
from servicedesk.channels.metrics import MESSAGES_IN
from servicedesk.channels.models import InboxItem
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.kernel.db import WriteSession

NUMBERED = re.compile(
    r"^\s*(?:INC[-\s]?|#)0*(\d{1,18})\b[\s:.,;-]*(.*)$", re.IGNORECASE | re.DOTALL
)


class SmsIntake:
    def __init__(
        self, desk: IntakeDesk, directory: RealmDirectory, settings: ChannelsSettings
    ) -> None:
        self.desk = desk
        self.directory = directory
        self.settings = settings

    async def handle(self, session: WriteSession, item: InboxItem) -> str:
        outcome = await self._handle(session, item)
        MESSAGES_IN.labels(SMS, outcome).inc()
        return outcome

    async def _handle(self, session: WriteSession, item: InboxItem) -> str:
        phone, text = str(item.payload.get("from", "")), str(item.payload.get("text", "")).strip()
        if not phone.startswith("+"):
            return "ignored"
        # the owner is asked on every message: a phone moved to another profile (or a user
        # made again under a new id) follows the directory, not what was stored before
        user = await self.directory.user_by_phone(phone)
        person = await person_at(session, SMS, phone, display=phone, locale="ru", user=user)
        if user is not None and person.contact.user_id != user.id:
            person = await bind_to_user(session, person, user.id, user.username, user.name)
        person.identity.provider = str(item.payload.get("gateway") or "") or None
        turn = Turn(session, person, f"sms:{item.source}:{item.external_id}")
        if not text:
            return "empty"
        numbered = NUMBERED.match(text)
        if numbered:
            return await self._comment(
                turn, f"INC-{int(numbered.group(1)):06d}", numbered.group(2) or text
            )
        try:
            opened = await self.desk.open_incident(
                session, person, key=turn.next_key("incident"), title=text, description=text
            )
        except Flooded:
            await turn.reply("bot.flood_no_open", limit=self.desk.per_hour)
            return "flooded"
        except Refused as refused:
            await turn.reply("bot.refused", reason=refused.detail)
            return "refused"
        key = opened.incident.key
        if opened.flooded:
            await turn.reply("bot.flood", limit=self.desk.per_hour, ref=key, incident_key=key)
            return "flood-comment"
        await turn.reply("sms.created", ref=key, incident_id=opened.incident.id, incident_key=key)
        return "created"

    async def _comment(self, turn: Turn, key: str, body: str) -> str:
        conversation = await self.desk.conversation(turn.session, turn.person, key)
        if conversation is None:
            await turn.reply("sms.unknown_incident", ref=key)
            return "unknown-incident"
        was_closed = conversation.status in CLOSED_STATUSES
        try:
            incident = await self.desk.comment(
                turn.session, turn.person, conversation, key=turn.next_key("comment"), body=body
            )
        except Refused as refused:
            await turn.reply("bot.refused", reason=refused.detail)
            return "refused"
        reopened = was_closed and incident.status not in CLOSED_STATUSES
        await turn.reply(
            "bot.reopened" if reopened else "bot.commented",
            ref=incident.key,
            incident_id=incident.id,
            incident_key=incident.key,
        )
        return "commented"
