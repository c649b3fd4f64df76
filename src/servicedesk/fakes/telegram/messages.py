"""Bot API methods on messages: send, edit, delete, chat actions, callback answers, files."""

from __future__ import annotations

import mimetypes
from typing import Any

from starlette.datastructures import UploadFile

from servicedesk.fakes.telegram.chats import (
    Chat,
    ChatMessage,
    FileKind,
    JsonObject,
    StoredFile,
    now,
    render_message,
)
from servicedesk.fakes.telegram.errors import BotApiError, bad_request
from servicedesk.fakes.telegram.formatting import FormattedText, format_text
from servicedesk.fakes.telegram.params import Method, MethodCall

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_WINDOW_S = 15 * 60
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_BUTTON_ACTIONS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}


def _entity_list(call: MethodCall, name: str) -> list[JsonObject] | None:
    value = call.params.structured(name)
    if value is not None and not isinstance(value, list):
        raise bad_request(f"can't parse {name} JSON array")
    return value


def _message_text(call: MethodCall) -> FormattedText:
    formatted = format_text(
        call.params.text("text") or "",
        call.params.text("parse_mode"),
        _entity_list(call, "entities"),
    )
    if not formatted.text:
        raise bad_request("message text is empty")
    if len(formatted.text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return formatted


def _caption(call: MethodCall) -> FormattedText | None:
    raw = call.params.text("caption")
    if not raw:
        return None
    formatted = format_text(
        raw, call.params.text("parse_mode"), _entity_list(call, "caption_entities")
    )
    if len(formatted.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return formatted if formatted.text else None


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardMarkup expected")
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if not _BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")


def _reply_markup(call: MethodCall, *, inline_only: bool = False) -> JsonObject | None:
    markup = call.params.structured("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    return markup


def _reply_to(call: MethodCall, chat: Chat) -> int | None:
    """reply_parameters (or the older reply_to_message_id): the message answered, if any."""
    parameters = call.params.structured("reply_parameters")
    allow_without = call.params.boolean("allow_sending_without_reply")
    message_id = call.params.integer("reply_to_message_id")
    if isinstance(parameters, dict) and parameters.get("message_id") is not None:
        message_id = int(parameters["message_id"])
        allow_without = bool(parameters.get("allow_sending_without_reply", allow_without))
    if message_id is None:
        return None
    if chat.find(message_id) is None:
        if allow_without:
            return None
        raise bad_request("message to be replied not found")
    return message_id


async def send_message(call: MethodCall) -> JsonObject:
    chat = call.chat()
    formatted = _message_text(call)
    message = chat.add(
        ChatMessage(
            message_id=chat.next_message_id(),
            date=now(),
            from_bot=True,
            text=formatted.text,
            entities=formatted.entities,
            reply_markup=_reply_markup(call),
            reply_to_message_id=_reply_to(call, chat),
        )
    )
    return render_message(call.bot.as_user(), chat, message)


async def _uploaded(call: MethodCall, kind: FileKind, upload: UploadFile) -> StoredFile:
    content = await upload.read()
    if len(content) > call.settings.upload_limit_bytes:
        raise BotApiError(413, "Request Entity Too Large")
    if not content:
        raise bad_request("file must be non-empty")
    file_name = upload.filename if kind == "document" else None
    mime_type = upload.content_type
    if not mime_type or mime_type == "application/octet-stream":
        mime_type = mimetypes.guess_type(upload.filename or "")[0] or mime_type
    return call.bot.store_file(kind, content, len(content), file_name, mime_type)


async def _file_param(call: MethodCall, kind: FileKind) -> StoredFile:
    value = call.params.upload(kind)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, UploadFile):
        return await _uploaded(call, kind, value)
    existing = call.bot.files.get(value)
    if existing is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if existing.kind != kind:
        raise bad_request(f"can't use file of type {existing.kind.title()} as {kind.title()}")
    return existing


async def _send_file(call: MethodCall, kind: FileKind) -> JsonObject:
    chat = call.chat()
    caption = _caption(call)
    markup = _reply_markup(call)
    reply_to = _reply_to(call, chat)
    stored = await _file_param(call, kind)
    message = chat.add(
        ChatMessage(
            message_id=chat.next_message_id(),
            date=now(),
            from_bot=True,
            caption=caption.text if caption else None,
            caption_entities=caption.entities if caption else [],
            file=stored,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
    )
    return render_message(call.bot.as_user(), chat, message)


async def send_document(call: MethodCall) -> JsonObject:
    return await _send_file(call, "document")


async def send_photo(call: MethodCall) -> JsonObject:
    return await _send_file(call, "photo")


async def get_file(call: MethodCall) -> JsonObject:
    stored = call.bot.files.get(call.params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > call.settings.download_limit_bytes:
        raise bad_request("file is too big")
    return stored.as_file()


def _bot_message_to_edit(call: MethodCall) -> tuple[Chat, ChatMessage]:
    if call.params.present("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline mode
    chat = call.chat()
    message = chat.find(call.message_id())
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


async def edit_message_text(call: MethodCall) -> JsonObject:
    chat, message = _bot_message_to_edit(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    formatted = _message_text(call)
    markup = _reply_markup(call, inline_only=True)
    unchanged = (formatted.text, formatted.entities, markup)
    if unchanged == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities, message.reply_markup = unchanged
    message.edit_date = now()
    return render_message(call.bot.as_user(), chat, message)


async def edit_message_reply_markup(call: MethodCall) -> JsonObject:
    chat, message = _bot_message_to_edit(call)
    markup = _reply_markup(call, inline_only=True)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = markup
    message.edit_date = now()
    return render_message(call.bot.as_user(), chat, message)


async def delete_message(call: MethodCall) -> bool:
    chat = call.chat()
    message = chat.find(call.message_id())
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


async def send_chat_action(call: MethodCall) -> bool:
    chat = call.chat()
    action = call.params.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.action, chat.action_date = action, now()
    return True


async def answer_callback_query(call: MethodCall) -> bool:
    press = call.bot.callbacks.get(call.params.text("callback_query_id") or "")
    if press is None or press.answered or now() - press.date > CALLBACK_ANSWER_WINDOW_S:
        raise bad_request(QUERY_TOO_OLD)
    press.answered = True
    press.answer_text = call.params.text("text")
    press.show_alert = call.params.boolean("show_alert")
    return True


MESSAGE_METHODS: dict[str, Method] = {
    "sendmessage": send_message,
    "senddocument": send_document,
    "sendphoto": send_photo,
    "getfile": get_file,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
    "answercallbackquery": answer_callback_query,
}
