"""What a person does, as the updates Telegram makes of it, and getUpdates' long poll."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass

from servicedesk.fakes.telegram.bots import BotAccount
from servicedesk.fakes.telegram.chats import (
    CallbackPress,
    Chat,
    ChatMessage,
    JsonObject,
    Person,
    StoredFile,
    now,
    render_message,
)
from servicedesk.fakes.telegram.errors import conflict
from servicedesk.fakes.telegram.formatting import command_entities
from servicedesk.kernel.errors import Conflict, NotFound

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


@dataclass(frozen=True, slots=True)
class Written:
    update_id: int | None
    message_id: int


@dataclass(frozen=True, slots=True)
class Pressed:
    update_id: int | None
    callback_query_id: str


def _membership(bot: BotAccount, status: str) -> JsonObject:
    member: JsonObject = {"status": status, "user": bot.as_user()}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _membership_changes(
    bot: BotAccount, chat: Chat, *, blocked: bool, retention_s: float
) -> int | None:
    """The person blocks the bot (status "kicked") or restarts it ("member")."""
    if chat.blocked == blocked:
        return None
    chat.blocked = blocked
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    payload = {
        "chat": chat.person.as_chat(),
        "from": chat.person.as_user(),
        "date": now(),
        "old_chat_member": _membership(bot, old),
        "new_chat_member": _membership(bot, new),
    }
    return bot.enqueue("my_chat_member", payload, retention_s)


def person_sets_membership(
    bot: BotAccount, person: Person, *, blocked: bool, retention_s: float
) -> int | None:
    """my_chat_member when the person blocks or unblocks the bot; None if nothing changed."""
    return _membership_changes(bot, bot.chat_with(person), blocked=blocked, retention_s=retention_s)


def person_writes(
    bot: BotAccount,
    person: Person,
    *,
    retention_s: float,
    text: str | None = None,
    file: StoredFile | None = None,
    caption: str | None = None,
    reply_to_message_id: int | None = None,
) -> Written:
    """A message from the person; writing to a bot they blocked restarts it first, as the
    app's "Restart" button does (my_chat_member back to "member", then the message)."""
    chat = bot.chat_with(person)
    _membership_changes(bot, chat, blocked=False, retention_s=retention_s)
    if reply_to_message_id is not None and chat.find(reply_to_message_id) is None:
        raise NotFound(f"no message {reply_to_message_id} in chat {person.id}")
    message = chat.add(
        ChatMessage(
            message_id=chat.next_message_id(),
            date=now(),
            from_bot=False,
            text=text,
            entities=command_entities(text) if text else [],
            caption=caption,
            caption_entities=command_entities(caption) if caption else [],
            file=file,
            reply_to_message_id=reply_to_message_id,
        )
    )
    payload = render_message(bot.as_user(), chat, message)
    return Written(bot.enqueue("message", payload, retention_s), message.message_id)


def person_presses(
    bot: BotAccount, person: Person, *, message_id: int, data: str, retention_s: float
) -> Pressed:
    """A press on an inline button of a bot's message: a callback_query update."""
    chat = bot.chats.get(person.id)
    message = chat.find(message_id) if chat is not None else None
    if chat is None or message is None:
        raise NotFound(f"no message {message_id} in chat {person.id}")
    if not message.from_bot or data not in message.inline_callback_data():
        raise Conflict(f"message {message_id} has no inline button with callback_data {data!r}")
    chat.person = person
    press = CallbackPress(
        id=str(secrets.randbits(62)),
        chat_id=chat.person.id,
        message_id=message_id,
        data=data,
        date=now(),
    )
    bot.callbacks[press.id] = press
    message.presses.append(press)
    payload = {
        "id": press.id,
        "from": chat.person.as_user(),
        "message": render_message(bot.as_user(), chat, message),
        "chat_instance": str(bot.id * 7919 + chat.person.id),
        "data": data,
    }
    return Pressed(bot.enqueue("callback_query", payload, retention_s), press.id)


async def take_updates(
    bot: BotAccount, *, offset: int | None, limit: int, timeout_s: float, retention_s: float
) -> list[JsonObject]:
    """getUpdates: confirms what is below `offset`, then answers what waits, waiting up to
    `timeout_s` for something to come; a newer getUpdates ends this one with 409."""
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.wake()
    if offset is not None:
        bot.confirm_before(offset)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        bot.forget_expired(retention_s)
        arrival = bot.arrival()
        if bot.poll_generation != generation:
            raise conflict(OTHER_POLL)
        ready = bot.queue[:limit] if bot.webhook is None else []
        remaining = deadline - loop.time()
        if ready or remaining <= 0:
            return [update.body for update in ready]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrival.wait(), remaining)
