"""The Bot API through aiogram (the client only): sending, files, webhook registration.

The base URL is configuration: the local fake by default, Telegram's own servers with a real
token. Texts over 4096 characters go as several messages, split at line ends where possible.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from servicedesk.channels.models import ChannelIdentity, Delivery
from servicedesk.channels.outbound.transport import RetryLater, SendFailed, Sent, Unreachable
from servicedesk.channels.settings import TelegramSettings

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut at the last line end (else space) in reach."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        part = rest[:cut].rstrip()
        if part:  # a run of blanks at the start would make an empty message, refused
            parts.append(part)
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts


class FileTooBig(Exception):
    pass


class TelegramBot:
    channel = "telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base))
        self.bot = Bot(settings.token.get_secret_value(), session=session)

    @property
    def bot_id(self) -> int:
        return self.bot.id

    async def close(self) -> None:
        await self.bot.session.close()

    async def register_webhook(self) -> None:
        await self.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=self.settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )

    async def updates(self, offset: int | None, timeout_s: int) -> list[dict[str, Any]]:
        found = await self.bot.get_updates(
            offset=offset, timeout=timeout_s, allowed_updates=ALLOWED_UPDATES
        )
        return [u.model_dump(mode="json", exclude_none=True, by_alias=True) for u in found]

    async def download(self, file_id: str, size: int | None) -> bytes:
        limit = self.settings.max_download_bytes
        if size is not None and size > limit:
            raise FileTooBig
        try:
            found = await self.bot.get_file(file_id)
        except TelegramBadRequest as error:
            if "too big" in str(error).lower():
                raise FileTooBig from error
            raise
        if (found.file_size or 0) > limit or not found.file_path:
            raise FileTooBig
        target = io.BytesIO()
        await self.bot.download_file(found.file_path, destination=target, timeout=60)
        return target.getvalue()

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        try:
            await self.bot.answer_callback_query(callback_id, text=text)
        except TelegramAPIError:
            log.info("callback answer refused (expired?)", extra={"callback": callback_id})

    # -- Transport ---------------------------------------------------------------------------
    def rate_key(self, delivery: Delivery) -> str | None:
        return delivery.address

    async def send(self, delivery: Delivery, identity: ChannelIdentity | None) -> Sent:
        chat_id = identity.chat_id if identity and identity.chat_id else int(delivery.address)
        markup = InlineKeyboardMarkup.model_validate(delivery.markup) if delivery.markup else None
        parts = split_text(delivery.body)
        done = delivery.parts  # sent by an earlier attempt that a flood limit cut short
        sent_ids: list[str] = []
        for number, part in enumerate(parts[done:], start=done + 1):
            last = number == len(parts)
            try:
                message = await self.bot.send_message(
                    chat_id, part, reply_markup=markup if last else None
                )
            except TelegramRetryAfter as error:
                progress = Sent("telegram", sent_ids, done + len(sent_ids)) if sent_ids else None
                reason = "429 Too Many Requests"
                raise RetryLater(float(error.retry_after), reason, progress) from error
            except TelegramForbiddenError as error:
                raise Unreachable(error.message) from error
            except TelegramBadRequest as error:
                if "chat not found" in error.message.lower():
                    raise Unreachable(error.message) from error
                raise SendFailed(error.message, retryable=False) from error
            except (TelegramNetworkError, TelegramServerError) as error:
                raise SendFailed(str(error), retryable=True) from error
            sent_ids.append(f"{chat_id}:{message.message_id}")
        return Sent("telegram", sent_ids, len(parts))
