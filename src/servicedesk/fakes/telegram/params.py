"""A Bot API call's parameters, however they came (query string, JSON, form or multipart),
read the lenient way Telegram reads them: numbers and booleans may be strings, objects may be
JSON text, a file may be an upload, an `attach://name` reference or a file_id."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from servicedesk.fakes.telegram.bots import BotAccount
from servicedesk.fakes.telegram.chats import Chat
from servicedesk.fakes.telegram.errors import BOT_BLOCKED, CHAT_NOT_FOUND, bad_request, forbidden
from servicedesk.fakes.telegram.settings import TelegramFakeSettings
from servicedesk.fakes.telegram.state import TelegramFakeState

_INTEGER = re.compile(r"^-?\d{1,20}$")
_TRUE = {"true", "1", "yes", "on"}
ATTACH = "attach://"


class BotParams:
    """The named values of one call; later sources win (query, then body)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    @classmethod
    async def read(cls, request: Request) -> BotParams:
        values: dict[str, Any] = dict(request.query_params)
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith("application/json"):
            body = await request.body()
            if body.strip():
                try:
                    parsed = json.loads(body)
                except ValueError as error:
                    raise bad_request("can't parse JSON object") from error
                if not isinstance(parsed, dict):
                    raise bad_request("JSON object expected")
                values.update(parsed)
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_files=20, max_fields=200)
            values.update(form.multi_items())
        return cls(values)

    def present(self, name: str) -> bool:
        return self._values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, UploadFile):
            raise bad_request(f"{name} must be a string")
        if isinstance(value, dict | list):
            return json.dumps(value)
        return str(value).lower() if isinstance(value, bool) else str(value)

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value)
        raise bad_request(f"invalid {name} specified")

    def boolean(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        return isinstance(value, str | int) and str(value).strip().lower() in _TRUE

    def structured(self, name: str) -> Any:
        """An object or array, sent as JSON text (forms) or as itself (JSON bodies)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as error:
                raise bad_request(f"can't parse {name} JSON object") from error
        if isinstance(value, UploadFile):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def string_list(self, name: str) -> list[str] | None:
        value = self.structured(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise bad_request(f"can't parse {name} JSON array")
        return value

    def upload(self, name: str) -> UploadFile | str | None:
        """An uploaded file (directly or through `attach://<part>`), else a file_id or URL."""
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith(ATTACH):
            value = self._values.get(value.removeprefix(ATTACH))
            if not isinstance(value, UploadFile):
                raise bad_request(f"there is no {name} in the request")
        if value is None or isinstance(value, UploadFile):
            return value
        return self.text(name) or None


@dataclass(frozen=True, slots=True)
class MethodCall:
    """One call of a Bot API method: the fake, the calling bot and its parameters."""

    state: TelegramFakeState
    bot: BotAccount
    params: BotParams

    @property
    def settings(self) -> TelegramFakeSettings:
        return self.state.settings

    def chat(self) -> Chat:
        """The private chat named by chat_id: 400 if the person never wrote, 403 if blocked."""
        raw = self.params.text("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if not _INTEGER.match(raw.strip()):
            raise bad_request(CHAT_NOT_FOUND)
        chat = self.bot.chats.get(int(raw))
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        if chat.blocked:
            raise forbidden(BOT_BLOCKED)
        return chat

    def message_id(self) -> int:
        message_id = self.params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        return message_id


Method = Callable[[MethodCall], Awaitable[object]]
