"""The bot's commands (/start, /new, /my, /status, /help, /cancel) and guided creation."""

from __future__ import annotations

import re

from servicedesk.channels.contacts.links import redeem
from servicedesk.channels.contacts.service import bind_to_user
from servicedesk.channels.intake.desk import CLOSED_STATUSES, Flooded, IntakeDesk
from servicedesk.channels.intake.tickets import IncidentRef, Refused, TicketsGateway
from servicedesk.channels.intake.turn import Turn
from servicedesk.channels.models import Dialog
from servicedesk.channels.texts import say, status_name
from servicedesk.kernel.service_client import ServiceClient

COMMAND = re.compile(r"^/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
INCIDENT_KEY = re.compile(r"^(?:INC-?)?0*(\d{1,18})$", re.IGNORECASE)
SKIP = "/skip"


def incident_key(text: str) -> str | None:
    found = INCIDENT_KEY.match(text.strip())
    return f"INC-{int(found.group(1)):06d}" if found else None


class Commands:
    def __init__(self, desk: IntakeDesk, migration: ServiceClient, console_url: str) -> None:
        self.desk = desk
        self.migration = migration
        self.console_url = console_url.rstrip("/")

    def link(self, key: str) -> str:
        return f"{self.console_url}/incidents/{key}"

    async def run(self, turn: Turn, text: str) -> str:
        found = COMMAND.match(text)
        name, argument = (
            (found.group(1).lower(), (found.group(2) or "").strip()) if found else ("", "")
        )
        dialog = await turn.session.get(Dialog, turn.person.identity.id)
        if name == "skip" and dialog is not None and dialog.state == "new.order":
            return await self.guided(turn, dialog, SKIP)
        if name == "start":
            return await self._start(turn, argument)
        if name == "cancel":
            if dialog is not None:
                await turn.session.delete(dialog)
            await turn.reply("bot.cancelled")
            return "cancelled"
        if name == "new":
            await self._set_dialog(turn, dialog, "new.title", {})
            await turn.reply("bot.new.title")
            return "guided"
        if name == "my":
            return await self._my(turn)
        if name == "status":
            return await self._status(turn, argument)
        await turn.reply("bot.help")
        return "help"

    async def _start(self, turn: Turn, token: str) -> str:
        if token:
            row = await redeem(turn.session, token[:64])
            if row is None:
                await turn.reply("bot.link_invalid")
                return "link-invalid"
            turn.person = await bind_to_user(
                turn.session, turn.person, row.user_id, row.username, row.name
            )
            row.identity_id = turn.person.identity.id
            await turn.reply("bot.linked", name=row.name)
            return "linked"
        help_text = say(turn.person.locale, "bot.help")
        await turn.reply("bot.greeting", name=turn.person.contact.name, help=help_text)
        return "greeted"

    async def _my(self, turn: Turn) -> str:
        rows = [
            c
            for c in await self.desk.open_conversations(turn.session, turn.person)
            if c.status not in CLOSED_STATUSES
        ]
        if not rows:
            await turn.reply("bot.my.none")
            return "listed"
        locale = turn.person.locale
        lines = [say(locale, "bot.my.title")] + [
            say(
                locale,
                "bot.my.line",
                ref=c.incident_key,
                status=status_name(locale, c.status),
                title=c.title,
            )
            for c in rows[:10]
        ]
        await turn.reply_text("\n".join(lines))
        return "listed"

    async def _status(self, turn: Turn, argument: str) -> str:
        key = incident_key(argument) if argument else None
        if key is None:
            await turn.reply("bot.status.usage")
            return "status-usage"
        conversation = await self.desk.conversation(turn.session, turn.person, key)
        incident = await self.desk.tickets.incident(key) if conversation else None
        if conversation is None or incident is None:
            await turn.reply("bot.status.unknown", ref=key)
            return "status-unknown"
        conversation.status = incident.status
        locale = turn.person.locale
        await turn.reply(
            "bot.status.line",
            ref=incident.key,
            title=incident.title,
            status=status_name(locale, incident.status),
            incident_id=incident.id,
            incident_key=incident.key,
        )
        return "status"

    async def guided(self, turn: Turn, dialog: Dialog, text: str) -> str:
        data = dict(dialog.data)
        if dialog.state == "new.title":
            data["title"] = text
            await self._set_dialog(turn, dialog, "new.description", data)
            await turn.reply("bot.new.description")
            return "guided"
        if dialog.state == "new.description":
            data["description"] = text
            await self._set_dialog(turn, dialog, "new.order", data)
            await turn.reply("bot.new.order")
            return "guided"
        order: str | None = None
        description = str(data.get("description", ""))
        if text != SKIP:
            number = text.strip()[:64]
            found = await TicketsGateway.find_order(self.migration, number)
            if found is False:
                await turn.reply("bot.new.order_unknown", number=number)
                return "guided"
            if found is None:
                await turn.reply("bot.new.order_unchecked", number=number)
                description = f"{description}\n\n#{number}"
            else:
                order = str(found)
        await turn.session.delete(dialog)
        try:
            opened = await self.desk.open_incident(
                turn.session,
                turn.person,
                key=turn.next_key("incident"),
                title=str(data.get("title", "")),
                description=description or str(data.get("title", "")),
                order=order,
            )
        except Flooded:
            await turn.reply("bot.flood_no_open", limit=self.desk.per_hour)
            return "flooded"
        except Refused as refused:
            await turn.reply("bot.refused", reason=refused.detail)
            return "refused"
        if opened.flooded:
            key = opened.incident.key
            await turn.reply("bot.flood", limit=self.desk.per_hour, ref=key)
            return "flood-comment"
        await self.created(turn, opened.incident)
        return "created"

    async def created(self, turn: Turn, incident: IncidentRef) -> None:
        await turn.reply(
            "bot.created",
            ref=incident.key,
            title=incident.title,
            link=self.link(incident.key),
            incident_id=incident.id,
            incident_key=incident.key,
        )

    @staticmethod
    async def _set_dialog(
        turn: Turn, dialog: Dialog | None, state: str, data: dict[str, object]
    ) -> None:
        if dialog is None:
            turn.session.add(Dialog(identity_id=turn.person.identity.id, state=state, data=data))
        else:
            dialog.state, dialog.data = state, data
        await turn.session.flush()
