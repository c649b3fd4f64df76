"""The control API, `/control`: what a person does in Telegram, fault knobs, and what tests read.

Plain JSON routes, no authentication (a local fake); apart from the Bot API on purpose.
A bot id the fake has not seen yet is made on the first write, so a test may write first.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from servicedesk.fakes.telegram.bots import BotAccount
from servicedesk.fakes.telegram.chats import Chat, ChatMessage, FileKind, Person, StoredFile, now
from servicedesk.fakes.telegram.schemas import (
    BotView,
    CallbackIn,
    CallbackPressed,
    ChatBlocked,
    ChatLog,
    ChatSummary,
    CommandView,
    DeliveryView,
    Faults,
    FileIn,
    FileView,
    MemberStatusChanged,
    MemberStatusIn,
    MessageIn,
    MessageView,
    MessageWritten,
    PersonIn,
    PersonView,
    PressView,
)
from servicedesk.fakes.telegram.state import TelegramFakeState, TelegramFakeStateDep
from servicedesk.fakes.telegram.updates import (
    person_presses,
    person_sets_membership,
    person_writes,
)
from servicedesk.kernel.errors import NotFound, invalid_field

control_router = APIRouter(prefix="/control", tags=["control"])
ACTION_SHOWN_S = 5
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


def _known_bot(state: TelegramFakeState, bot_id: int) -> BotAccount:
    bot = state.bots.get(bot_id)
    if bot is None:
        raise NotFound(f"no bot {bot_id} has been seen")
    return bot


def _known_chat(bot: BotAccount, chat_id: int) -> Chat:
    chat = bot.chats.get(chat_id)
    if chat is None:
        raise NotFound(f"bot {bot.id} has no chat {chat_id}")
    return chat


def _person(bot: BotAccount, incoming: PersonIn) -> Person:
    """The person as sent, fields left out taken from what the fake knows of them."""
    known = bot.chats.get(incoming.id)
    person = Person(incoming.id, f"User {incoming.id}") if known is None else known.person
    given = incoming.model_dump(include=incoming.model_fields_set)
    return Person(
        id=incoming.id,
        first_name=given.get("first_name") or person.first_name,
        last_name=given.get("last_name", person.last_name),
        username=given.get("username", person.username),
        language_code=given.get("language_code", person.language_code),
    )


def _stored(bot: BotAccount, kind: FileKind, incoming: FileIn, field: str) -> StoredFile:
    content = None
    if incoming.content_base64 is not None:
        try:
            content = base64.b64decode(incoming.content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise invalid_field(f"{field}.content_base64", "not base64") from error
    size = len(content) if content is not None else incoming.size or 0
    return bot.store_file(kind, content, size, incoming.file_name, incoming.mime_type)


def _person_view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        username=person.username,
        language_code=person.language_code,
    )


def _bot_view(bot: BotAccount) -> BotView:
    return BotView(
        id=bot.id,
        username=bot.username,
        first_name=bot.first_name,
        seen_by_api=bot.token is not None,
        webhook_url=bot.webhook.url if bot.webhook else None,
        webhook_has_secret_token=bool(bot.webhook and bot.webhook.secret_token),
        webhook_max_connections=bot.webhook.max_connections if bot.webhook else None,
        pending_update_count=len(bot.queue),
        last_error_date=bot.last_error_date,
        last_error_message=bot.last_error_message,
        too_many_requests=bot.too_many_requests,
        commands=[CommandView(**command) for command in bot.commands.get("default:", [])],
        chats=[
            ChatSummary(
                chat_id=chat_id,
                person=_person_view(chat.person),
                blocked=chat.blocked,
                message_count=sum(not m.deleted for m in chat.messages),
            )
            for chat_id, chat in bot.chats.items()
        ],
    )


def _file_view(bot: BotAccount, stored: StoredFile | None, kind: FileKind) -> FileView | None:
    if stored is None or stored.kind != kind:
        return None
    return FileView(
        file_id=stored.file_id,
        kind=stored.kind,
        file_name=stored.file_name,
        mime_type=stored.mime_type,
        file_size=stored.size,
        download_path=(
            f"/control/bots/{bot.id}/files/{stored.file_id}" if stored.content is not None else None
        ),
    )


def _message_view(bot: BotAccount, message: ChatMessage) -> MessageView:
    return MessageView(
        message_id=message.message_id,
        date=message.date,
        sender="bot" if message.from_bot else "user",
        text=message.text,
        entities=message.entities,
        caption=message.caption,
        reply_markup=message.reply_markup,
        document=_file_view(bot, message.file, "document"),
        photo=_file_view(bot, message.file, "photo"),
        reply_to_message_id=message.reply_to_message_id,
        edit_date=message.edit_date,
        deleted=message.deleted,
        presses=[
            PressView(
                callback_query_id=press.id,
                data=press.data,
                date=press.date,
                answered=press.answered,
                answer_text=press.answer_text,
                show_alert=press.show_alert,
            )
            for press in message.presses
        ],
    )


@control_router.get("/bots", response_model=list[BotView])
async def list_bots(state: TelegramFakeStateDep) -> list[BotView]:
    """Every bot seen so far (by its token, or by the control API), with its chats."""
    return [_bot_view(bot) for bot in state.bots.values()]


@control_router.post("/bots/{bot_id}/messages", response_model=MessageWritten)
async def write_message(
    bot_id: int, body: MessageIn, state: TelegramFakeStateDep
) -> MessageWritten:
    """The person writes to the bot: a `message` update."""
    bot = state.bot(bot_id)
    person = _person(bot, body.sender)
    file = None
    if body.document is not None:
        file = _stored(bot, "document", body.document, "document")
    elif body.photo is not None:
        file = _stored(bot, "photo", body.photo, "photo")
    written = person_writes(
        bot,
        person,
        retention_s=state.settings.update_retention_s,
        text=body.text,
        file=file,
        caption=body.caption,
        reply_to_message_id=body.reply_to_message_id,
    )
    return MessageWritten(update_id=written.update_id, message_id=written.message_id)


@control_router.post("/bots/{bot_id}/callbacks", response_model=CallbackPressed)
async def press_button(
    bot_id: int, body: CallbackIn, state: TelegramFakeStateDep
) -> CallbackPressed:
    """The person presses an inline button of a bot message: a `callback_query` update."""
    bot = _known_bot(state, bot_id)
    pressed = person_presses(
        bot,
        _person(bot, body.sender),
        message_id=body.message_id,
        data=body.data,
        retention_s=state.settings.update_retention_s,
    )
    return CallbackPressed(update_id=pressed.update_id, callback_query_id=pressed.callback_query_id)


@control_router.post("/bots/{bot_id}/member-status", response_model=MemberStatusChanged)
async def set_member_status(
    bot_id: int, body: MemberStatusIn, state: TelegramFakeStateDep
) -> MemberStatusChanged:
    """The person blocks or unblocks the bot: a `my_chat_member` update when that changes."""
    bot = state.bot(bot_id)
    blocked = body.status == "blocked"
    update_id = person_sets_membership(
        bot,
        _person(bot, body.sender),
        blocked=blocked,
        retention_s=state.settings.update_retention_s,
    )
    return MemberStatusChanged(update_id=update_id, blocked=blocked)


@control_router.get("/bots/{bot_id}/chats/{chat_id}/messages", response_model=ChatLog)
async def read_chat(
    bot_id: int,
    chat_id: int,
    state: TelegramFakeStateDep,
    after: Annotated[int | None, Query(description="only messages with a greater id")] = None,
) -> ChatLog:
    """The whole chat, both ways, oldest first (deleted messages marked, not left out)."""
    bot = _known_bot(state, bot_id)
    chat = _known_chat(bot, chat_id)
    shown = [m for m in chat.messages if after is None or m.message_id > after]
    recent_action = chat.action if now() - chat.action_date <= ACTION_SHOWN_S else None
    return ChatLog(
        chat_id=chat_id,
        person=_person_view(chat.person),
        blocked=chat.blocked,
        action=recent_action,
        messages=[_message_view(bot, message) for message in shown],
    )


@control_router.get("/bots/{bot_id}/files/{file_id}")
async def read_file(bot_id: int, file_id: str, state: TelegramFakeStateDep) -> Response:
    """A file's bytes (sent by the bot or by a person), for the chat page and the tests."""
    stored = _known_bot(state, bot_id).files.get(file_id)
    if stored is None or stored.content is None:
        raise NotFound(f"no file {file_id} with content")
    file_name = _UNSAFE_IN_FILE_NAME.sub("_", stored.file_name or stored.file_path)
    return Response(
        stored.content,
        media_type=stored.mime_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


@control_router.post("/bots/{bot_id}/faults", response_model=Faults)
async def set_faults(bot_id: int, body: Faults, state: TelegramFakeStateDep) -> Faults:
    """The next `too_many_requests` send* calls answer 429 with `retry_after`."""
    bot = state.bot(bot_id)
    bot.too_many_requests, bot.retry_after = body.too_many_requests, body.retry_after
    return Faults(too_many_requests=bot.too_many_requests, retry_after=bot.retry_after)


@control_router.post("/bots/{bot_id}/chats/{chat_id}/block", response_model=ChatBlocked)
async def block_chat(bot_id: int, chat_id: int, state: TelegramFakeStateDep) -> ChatBlocked:
    """The chat answers 403 "bot was blocked by the user", without a my_chat_member update."""
    chat = _known_chat(_known_bot(state, bot_id), chat_id)
    chat.blocked = True
    return ChatBlocked(chat_id=chat_id, blocked=True)


@control_router.post("/bots/{bot_id}/chats/{chat_id}/unblock", response_model=ChatBlocked)
async def unblock_chat(bot_id: int, chat_id: int, state: TelegramFakeStateDep) -> ChatBlocked:
    """The chat takes messages again, without a my_chat_member update."""
    chat = _known_chat(_known_bot(state, bot_id), chat_id)
    chat.blocked = False
    return ChatBlocked(chat_id=chat_id, blocked=False)


@control_router.get("/bots/{bot_id}/deliveries", response_model=list[DeliveryView])
async def list_deliveries(bot_id: int, state: TelegramFakeStateDep) -> list[DeliveryView]:
    """Webhook delivery attempts, oldest first (the last 1000 by default)."""
    return [
        DeliveryView(
            update_id=attempt.update_id,
            attempt=attempt.attempt,
            status_code=attempt.status_code,
            error=attempt.error,
            at=datetime.fromtimestamp(attempt.at, UTC),
            duration_ms=attempt.duration_ms,
        )
        for attempt in _known_bot(state, bot_id).deliveries
    ]


@control_router.post("/reset", status_code=status.HTTP_204_NO_CONTENT)
async def reset(state: TelegramFakeStateDep) -> Response:
    """Forgets every bot, chat, file, update and delivery (tests start from here)."""
    await state.reset()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
