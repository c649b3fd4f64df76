"""What a Telegram update becomes: commands, guided creation, a new incident, a comment on
one of the person's incidents (a reply to the bot's message about it goes there directly),
attachments; a blocked bot marks the identity unreachable. Anything else is acknowledged and
counted, never retried by Telegram and never an error."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from servicedesk.channels.botapi import FileTooBig, TelegramBot
from servicedesk.channels.contacts.service import TELEGRAM, Person, locale_of, person_at
from servicedesk.channels.intake.desk import CLOSED_STATUSES, Flooded, IntakeDesk
from servicedesk.channels.intake.tickets import IncidentRef, Refused
from servicedesk.channels.intake.turn import Turn
from servicedesk.channels.metrics import MESSAGES_IN
from servicedesk.channels.models import (
    ChannelIdentity,
    Conversation,
    Delivery,
    Dialog,
    InboxItem,
    ProviderMessage,
)
from servicedesk.channels.telegram.commands import Commands
from servicedesk.channels.texts import say
from servicedesk.kernel.db import WriteSession

log = logging.getLogger(__name__)
CHOOSE = "choose"


def display_of(user: dict[str, Any]) -> str:
    name = " ".join(str(user.get(k) or "") for k in ("first_name", "last_name")).strip()
    username = user.get("username")
    return (name or (f"@{username}" if username else str(user.get("id"))))[:200]


def files_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        best = photos[-1]
        found.append(
            {
                "file_id": best.get("file_id"),
                "size": best.get("file_size"),
                "name": f"photo-{best.get('file_unique_id', 'telegram')}.jpg",
                "type": "image/jpeg",
            }
        )
    document = message.get("document")
    if isinstance(document, dict):
        found.append(
            {
                "file_id": document.get("file_id"),
                "size": document.get("file_size"),
                "name": document.get("file_name") or "document",
                "type": document.get("mime_type") or "application/octet-stream",
            }
        )
    return [f for f in found if isinstance(f["file_id"], str)]


class TelegramIntake:
    def __init__(self, desk: IntakeDesk, bot: TelegramBot, commands: Commands) -> None:
        self.desk = desk
        self.bot = bot
        self.commands = commands

    async def handle(self, session: WriteSession, item: InboxItem) -> str:
        update, key = item.payload, f"tg:{item.source}:{item.external_id}"
        if isinstance(update.get("message"), dict):
            outcome = await self._message(session, update["message"], key)
        elif isinstance(update.get("callback_query"), dict):
            outcome = await self._callback(session, update["callback_query"], key)
        elif isinstance(update.get("my_chat_member"), dict):
            outcome = await self._membership(session, update["my_chat_member"])
        else:
            outcome = "ignored"
        MESSAGES_IN.labels(TELEGRAM, outcome).inc()
        return outcome

    async def _person(
        self, session: WriteSession, user: dict[str, Any], chat_id: int | None
    ) -> Person:
        person = await person_at(
            session,
            TELEGRAM,
            str(int(user["id"])),
            display=display_of(user),
            locale=locale_of(user.get("language_code")),
            chat_id=chat_id,
        )
        if not person.identity.reachable:  # who writes to the bot has not blocked it
            person.identity.reachable, person.identity.unreachable_reason = True, None
        return person

    async def _message(self, session: WriteSession, message: dict[str, Any], key: str) -> str:
        user, chat = message.get("from"), message.get("chat")
        if not isinstance(user, dict) or not isinstance(chat, dict) or user.get("is_bot"):
            return "ignored"
        if chat.get("type") != "private" or not isinstance(user.get("id"), int):
            return "ignored"
        turn = Turn(session, await self._person(session, user, chat.get("id")), key)
        text = str(message.get("text") or message.get("caption") or "").strip()
        if text.startswith("/"):
            return await self.commands.run(turn, text)
        dialog = await session.get(Dialog, turn.person.identity.id)
        if dialog is not None and dialog.state.startswith("new.") and text:
            return await self.commands.guided(turn, dialog, text)
        files = files_of(message)
        if not text and not files:
            await turn.reply("bot.unsupported")
            return "unsupported"
        text = text or ", ".join(f["name"] for f in files)
        target = await self._replied_to(session, turn.person, message)
        if target is not None:
            return await self.add(turn, target, text, files)
        open_ones = await self.desk.open_conversations(session, turn.person)
        if not open_ones:
            return await self.create(turn, text, files)
        await self._ask_where(turn, dialog, open_ones, text, files)
        return "asked"

    async def _replied_to(
        self, session: WriteSession, person: Person, message: dict[str, Any]
    ) -> Conversation | None:
        replied = message.get("reply_to_message")
        if not isinstance(replied, dict) or "message_id" not in replied:
            return None
        provider_id = f"{message['chat']['id']}:{replied['message_id']}"
        incident_key = await session.scalar(
            select(Delivery.incident_key)
            .join(ProviderMessage, ProviderMessage.delivery_id == Delivery.id)
            .where(
                ProviderMessage.provider == TELEGRAM,
                ProviderMessage.provider_message_id == provider_id,
            )
        )
        if not incident_key:
            return None
        return await self.desk.conversation(session, person, incident_key)

    async def _ask_where(
        self,
        turn: Turn,
        dialog: Dialog | None,
        open_ones: list[Conversation],
        text: str,
        files: list[dict[str, Any]],
    ) -> None:
        data = {"text": text, "files": files, "asked": turn.key}
        if dialog is None:
            turn.session.add(Dialog(identity_id=turn.person.identity.id, state=CHOOSE, data=data))
        else:
            dialog.state, dialog.data = CHOOSE, data
        locale = turn.person.locale
        rows = [
            [
                {
                    "text": say(locale, "bot.choose.add", ref=c.incident_key),
                    "callback_data": f"add:{c.incident_key}",
                }
            ]
            for c in open_ones[:3]
        ]
        rows.append([{"text": say(locale, "bot.choose.new"), "callback_data": "new"}])
        await turn.reply("bot.choose", markup={"inline_keyboard": rows})

    async def _callback(self, session: WriteSession, callback: dict[str, Any], key: str) -> str:
        user = callback.get("from")
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            return "ignored"
        chat = (callback.get("message") or {}).get("chat") or {}
        turn = Turn(session, await self._person(session, user, chat.get("id")), key)
        await self.bot.answer_callback(str(callback.get("id", "")))
        dialog = await session.get(Dialog, turn.person.identity.id)
        choice = str(callback.get("data") or "")
        if dialog is None or dialog.state != CHOOSE:
            await turn.reply("bot.choose.expired")
            return "expired"
        text, files = str(dialog.data.get("text", "")), list(dialog.data.get("files", []))
        await session.delete(dialog)
        if choice.startswith("add:"):
            target = await self.desk.conversation(session, turn.person, choice[4:])
            if target is not None:
                return await self.add(turn, target, text, files)
        return await self.create(turn, text, files)

    async def _membership(self, session: WriteSession, change: dict[str, Any]) -> str:
        user = change.get("from") or {}
        status = (change.get("new_chat_member") or {}).get("status")
        identity = await session.scalar(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == TELEGRAM, ChannelIdentity.address == str(user.get("id"))
            )
        )
        if identity is None:
            return "ignored"
        blocked = status == "kicked"
        identity.reachable = not blocked
        identity.unreachable_reason = "blocked the bot" if blocked else None
        return "blocked" if blocked else "unblocked"

    # -- effects --------------------------------------------------------------------------
    async def create(self, turn: Turn, text: str, files: list[dict[str, Any]]) -> str:
        try:
            opened = await self.desk.open_incident(
                turn.session,
                turn.person,
                key=turn.next_key("incident"),
                title=text,
                description=text,
            )
        except Flooded:
            await turn.reply("bot.flood_no_open", limit=self.desk.per_hour)
            return "flooded"
        except Refused as refused:
            await turn.reply("bot.refused", reason=refused.detail)
            return "refused"
        incident = opened.incident
        await self.attach(turn, incident, files)
        if opened.flooded:
            await turn.reply(
                "bot.flood",
                limit=self.desk.per_hour,
                ref=incident.key,
                incident_id=incident.id,
                incident_key=incident.key,
            )
            return "flood-comment"
        await self.commands.created(turn, incident)
        return "created"

    async def add(
        self, turn: Turn, target: Conversation, text: str, files: list[dict[str, Any]]
    ) -> str:
        was_closed = target.status in CLOSED_STATUSES
        try:
            incident = await self.desk.comment(
                turn.session, turn.person, target, key=turn.next_key("comment"), body=text
            )
        except Refused as refused:
            await turn.reply("bot.refused", reason=refused.detail)
            return "refused"
        await self.attach(turn, incident, files)
        reopened = was_closed and incident.status not in CLOSED_STATUSES
        await turn.reply(
            "bot.reopened" if reopened else "bot.commented",
            ref=incident.key,
            incident_id=incident.id,
            incident_key=incident.key,
        )
        return "commented"

    async def attach(self, turn: Turn, incident: IncidentRef, files: list[dict[str, Any]]) -> None:
        for found in files:
            name = str(found["name"])[:200]
            try:
                content = await self.bot.download(found["file_id"], found.get("size"))
                await self.desk.tickets.attach(incident.key, name, content, str(found["type"]))
            except FileTooBig:
                await turn.reply("bot.file_too_big", name=name)
                continue
            except Refused as refused:
                await turn.reply("bot.refused", reason=refused.detail)
                continue
            except Exception:
                log.exception("a Telegram file could not be attached")
                await turn.reply("bot.file_failed", name=name)
                continue
            await turn.reply("bot.attached", name=name, ref=incident.key)
