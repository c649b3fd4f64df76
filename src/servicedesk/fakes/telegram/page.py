"""`GET /`: a small chat page to talk to the local bot as a person would in Telegram.

Server-rendered HTML plus `static/chat.js` and `static/chat.css`, served by the fake itself
(nothing from a CDN). The script works only through the control API and polls it every second.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from servicedesk.fakes.telegram.bots import BotAccount
from servicedesk.fakes.telegram.state import TelegramFakeStateDep

STATIC_DIR = Path(__file__).with_name("static")
page_router = APIRouter(tags=["page"], include_in_schema=False)


def _bot_line(bot: BotAccount | None) -> str:
    if bot is None:
        return (
            "No bot has called this fake yet. Start the channels service (or any client of "
            "the Bot API at this address); the page picks the bot up by itself."
        )
    where = (
        f"delivers updates to the webhook <code>{escape(bot.webhook.url)}</code>"
        if bot.webhook
        else "keeps updates for getUpdates (no webhook is set)"
    )
    return f"Bot <b>@{escape(bot.username)}</b> (id {bot.id}) {where}."


def _page(bot: BotAccount | None) -> str:
    bot_id = "" if bot is None else str(bot.id)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local Telegram: chat with the bot</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/chat.css">
</head>
<body data-bot="{bot_id}">
<header>
  <h1>Local Telegram</h1>
  <p id="bot-line">{_bot_line(bot)}</p>
  <p id="bot-status" class="muted"></p>
  <label id="bot-picker" hidden>Bot <select id="bot-select"></select></label>
</header>
<details id="person">
  <summary>You are <span id="person-name"></span></summary>
  <form id="person-form">
    <label>Person <select id="person-select"><option value="">new person…</option></select>
    </label>
    <label>First name <input id="first-name" required maxlength="64"></label>
    <label>Last name <input id="last-name" maxlength="64"></label>
    <label>Username <input id="username" pattern="[A-Za-z0-9_]{{5,32}}"></label>
    <label>Telegram user id <input id="user-id" type="number" min="1" required></label>
    <label>Language <select id="language">
      <option value="ru">ru</option><option value="en">en</option></select></label>
  </form>
</details>
<main id="chat" aria-live="polite"><p class="muted">No messages yet.</p></main>
<p id="action" class="muted"></p>
<div id="reply-keyboard"></div>
<p id="notice" role="status"></p>
<form id="composer">
  <label class="attach">Attach<input id="file" type="file"></label>
  <input id="text" autocomplete="off" placeholder="Message (or /start payload)" maxlength="4096">
  <button type="submit">Send</button>
</form>
<p id="file-name" class="muted"></p>
<p><button id="block" type="button">Block bot</button></p>
<script src="/static/chat.js"></script>
</body>
</html>
"""


@page_router.get("/", response_class=HTMLResponse)
async def chat_page(
    state: TelegramFakeStateDep,
    bot: Annotated[int | None, Query(description="the bot to chat with")] = None,
) -> HTMLResponse:
    """The chat page; without `?bot=` it shows the first bot seen."""
    shown = state.bots.get(bot) if bot is not None else None
    if shown is None and state.bots:
        shown = next(iter(state.bots.values()))
    return HTMLResponse(_page(shown))
