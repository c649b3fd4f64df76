"""The webhook Telegram posts updates to. The secret header is compared in constant time (a
wrong or missing one: 401, nothing stored); the update is stored under its update_id (a repeat
is acknowledged and ignored) and answered at once; workers process it afterwards. What cannot
be used (not JSON, no update_id) is acknowledged with 200 and counted, so Telegram does not
retry it forever."""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from servicedesk.channels.intake.queue import store
from servicedesk.channels.metrics import UNUSABLE_INPUT, WEBHOOK_ACK
from servicedesk.channels.state import ChannelsState, channels_state
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Unauthorized
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.state import kernel_state

log = logging.getLogger(__name__)
router = APIRouter(prefix="/channels/telegram", tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ACK = {"ok": True}


class WrongSecret(Unauthorized):
    code = "wrong-webhook-secret"


def thread_of(update: dict[str, Any]) -> str:
    """The chat an update belongs to: its items are processed in order."""
    for kind in ("message", "edited_message", "my_chat_member"):
        chat = (update.get(kind) or {}).get("chat") if isinstance(update.get(kind), dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return f"telegram:{chat['id']}"
    callback = update.get("callback_query")
    if isinstance(callback, dict) and isinstance(callback.get("from"), dict):
        return f"telegram:{callback['from'].get('id')}"
    return f"telegram:update:{update.get('update_id')}"


async def accept_update(state: ChannelsState, session: WriteSession, update: Any) -> bool:
    """Stores a usable update; False when it is a repeat or unusable (counted, logged)."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        UNUSABLE_INPUT.labels("telegram", "no-update-id").inc()
        log.warning("telegram update without update_id ignored")
        return False
    bot = state.telegram
    source = f"telegram:{bot.bot_id if bot else 0}"
    stored = await store(
        session,
        channel="telegram",
        source=source,
        external_id=str(update["update_id"]),
        thread=thread_of(update),
        payload=update,
    )
    if not stored:
        UNUSABLE_INPUT.labels("telegram", "duplicate").inc()
    return stored


@router.post("/webhook", include_in_schema=True, responses={401: {"description": "wrong secret"}})
async def telegram_webhook(request: Request) -> JSONResponse:
    started = time.perf_counter()
    state = channels_state(request)
    expected = state.settings.telegram.webhook_secret.get_secret_value().encode()
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not hmac.compare_digest(given, expected):
        log.warning("telegram webhook with a wrong or missing secret refused")
        raise WrongSecret(_t("wrong or missing {header}", header=SECRET_HEADER))
    raw = await request.body()
    try:
        update = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        UNUSABLE_INPUT.labels("telegram", "not-json").inc()
        log.warning("telegram webhook body is not JSON; acknowledged", extra={"bytes": len(raw)})
        return JSONResponse(ACK)
    async with kernel_state(request).require_database().write() as session:
        stored = await accept_update(state, session, update)
    if stored:
        state.inbox.wake()
    WEBHOOK_ACK.labels("telegram").observe(time.perf_counter() - started)
    return JSONResponse(ACK)
