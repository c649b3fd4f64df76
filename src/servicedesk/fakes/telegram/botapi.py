"""The Bot API over HTTP: `/bot{token}/{method}` and file downloads at `/file/bot{token}/…`.

Every answer is Telegram's envelope, `{"ok": true, "result": …}` or
`{"ok": false, "error_code": …, "description": …}`, never the kernel's problem+json.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from servicedesk.fakes.telegram.account import ACCOUNT_METHODS
from servicedesk.fakes.telegram.bots import BotAccount
from servicedesk.fakes.telegram.errors import BotApiError, not_found, too_many_requests
from servicedesk.fakes.telegram.messages import MESSAGE_METHODS
from servicedesk.fakes.telegram.params import BotParams, Method, MethodCall
from servicedesk.fakes.telegram.state import TelegramFakeStateDep

METHODS: dict[str, Method] = {**ACCOUNT_METHODS, **MESSAGE_METHODS}

bot_api_router = APIRouter(tags=["bot-api"], include_in_schema=False)


def _flood_fault(bot: BotAccount, method: str) -> None:
    """The control API's knob: the next N send* calls are refused with 429."""
    if method.startswith("send") and bot.too_many_requests > 0:
        bot.too_many_requests -= 1
        raise too_many_requests(bot.retry_after)


@bot_api_router.api_route("/bot{token}/{method}", methods=["GET", "POST"])
async def call_method(
    token: str, method: str, request: Request, state: TelegramFakeStateDep
) -> Response:
    """One Bot API call; method names are case-insensitive, as Telegram's are."""
    try:
        bot = state.bot_for_token(token)
        handler = METHODS.get(method.lower())
        if handler is None:
            raise not_found("method not found")
        _flood_fault(bot, method.lower())
        params = await BotParams.read(request)
        result = await handler(MethodCall(state, bot, params))
    except BotApiError as error:
        return error.response()
    return JSONResponse({"ok": True, "result": result})


@bot_api_router.get("/file/bot{token}/{file_path:path}")
async def download_file(token: str, file_path: str, state: TelegramFakeStateDep) -> Response:
    """A file's bytes by the file_path getFile gave."""
    try:
        bot = state.bot_for_token(token)
    except BotApiError as error:
        return error.response()
    stored = bot.file_at(file_path)
    if stored is None or stored.content is None:
        return not_found().response()
    return Response(stored.content, media_type=stored.mime_type or "application/octet-stream")
