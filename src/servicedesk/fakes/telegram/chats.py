"""People, their private chats with a bot, the messages and files in them, as Bot API objects."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

JsonObject = dict[str, Any]
FileKind = Literal["document", "photo"]


def now() -> int:
    """Telegram's dates: whole seconds since the epoch."""
    return int(time.time())


def _without_none(values: JsonObject) -> JsonObject:
    return {key: value for key, value in values.items() if value is not None}


@dataclass(slots=True)
class Person:
    """A Telegram user talking to the bot; their private chat's id is their user id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def as_user(self) -> JsonObject:
        return _without_none(
            {
                "id": self.id,
                "is_bot": False,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
            }
        )

    def as_chat(self) -> JsonObject:
        return _without_none(
            {
                "id": self.id,
                "type": "private",
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
            }
        )


@dataclass(slots=True)
class StoredFile:
    """A file the bot may reach by file_id; `content` is None when only its size was declared."""

    file_id: str
    file_unique_id: str
    kind: FileKind
    file_path: str
    size: int
    content: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 1280
    height: int = 960

    def as_file(self) -> JsonObject:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def as_document(self) -> JsonObject:
        return _without_none(
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_name": self.file_name,
                "mime_type": self.mime_type,
                "file_size": self.size,
            }
        )

    def as_photo_sizes(self) -> list[JsonObject]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.size,
            }
        ]


@dataclass(slots=True)
class CallbackPress:
    """A press of an inline button, and how the bot answered it (answerCallbackQuery)."""

    id: str
    chat_id: int
    message_id: int
    data: str
    date: int
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


@dataclass(slots=True)
class ChatMessage:
    """One message of a chat, sent by the person or by the bot."""

    message_id: int
    date: int
    from_bot: bool
    text: str | None = None
    entities: list[JsonObject] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonObject] = field(default_factory=list)
    file: StoredFile | None = None
    reply_markup: JsonObject | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    presses: list[CallbackPress] = field(default_factory=list)

    def inline_callback_data(self) -> set[str]:
        """The callback_data of the inline buttons under this message."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return {
            str(button["callback_data"])
            for row in rows
            for button in row
            if isinstance(button, dict) and "callback_data" in button
        }


@dataclass(slots=True)
class Chat:
    """The private chat of one person with the bot; message ids count up from 1."""

    person: Person
    messages: list[ChatMessage] = field(default_factory=list)
    blocked: bool = False
    action: str | None = None
    action_date: int = 0

    def next_message_id(self) -> int:
        return len(self.messages) + 1

    def find(self, message_id: int) -> ChatMessage | None:
        if 1 <= message_id <= len(self.messages):
            found = self.messages[message_id - 1]
            return None if found.deleted else found
        return None

    def add(self, message: ChatMessage) -> ChatMessage:
        self.messages.append(message)
        return message


def render_message(
    bot_user: JsonObject, chat: Chat, message: ChatMessage, *, nested: bool = False
) -> JsonObject:
    """The Bot API `Message` object; a replied-to message is nested one level, as Telegram does."""
    rendered: JsonObject = {
        "message_id": message.message_id,
        "from": bot_user if message.from_bot else chat.person.as_user(),
        "chat": chat.person.as_chat(),
        "date": message.date,
    }
    if message.edit_date is not None:
        rendered["edit_date"] = message.edit_date
    if message.text is not None:
        rendered["text"] = message.text
        if message.entities:
            rendered["entities"] = message.entities
    if message.file is not None:
        if message.file.kind == "photo":
            rendered["photo"] = message.file.as_photo_sizes()
        else:
            rendered["document"] = message.file.as_document()
    if message.caption is not None:
        rendered["caption"] = message.caption
        if message.caption_entities:
            rendered["caption_entities"] = message.caption_entities
    markup = message.reply_markup or {}
    if "inline_keyboard" in markup:  # Telegram returns only inline keyboards with the message
        rendered["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    if not nested and message.reply_to_message_id is not None:
        replied = chat.find(message.reply_to_message_id)
        if replied is not None:
            rendered["reply_to_message"] = render_message(bot_user, chat, replied, nested=True)
    return rendered
