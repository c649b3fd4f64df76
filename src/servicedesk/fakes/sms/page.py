"""`GET /`: a small phone page to text the desk as a person would, through either provider.

Server-rendered HTML plus `static/phone.js` and `static/phone.css`, served by the fake itself
(nothing from a CDN). The script works only through the control API and polls it every second.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from servicedesk.fakes.sms.settings import SmsFakeSettings
from servicedesk.fakes.sms.state import SmsFakeStateDep

STATIC_DIR = Path(__file__).with_name("static")
page_router = APIRouter(tags=["page"], include_in_schema=False)


def _where(settings: SmsFakeSettings) -> str:
    smsru = settings.smsru_callback_url or "nowhere (no handler URL set)"
    twilio = settings.twilio_inbound_url or "nowhere (no webhook set)"
    return (
        f"SMS.ru calls <code>{escape(smsru.split('?')[0])}</code>; "
        f"Twilio posts inbound SMS to <code>{escape(twilio)}</code>."
    )


def _page(settings: SmsFakeSettings, phone: str, provider: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local SMS: text the desk</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/phone.css">
</head>
<body>
<header>
  <h1>Local SMS</h1>
  <p class="muted">{_where(settings)}</p>
</header>
<form id="pick">
  <label>Phone <input id="phone" list="known-phones" inputmode="tel" autocomplete="off"
    placeholder="+7 912 345-67-89" value="{escape(phone)}" required></label>
  <datalist id="known-phones"></datalist>
  <label>Provider <select id="provider">
    <option value="smsru"{" selected" if provider == "smsru" else ""}>SMS.ru</option>
    <option value="twilio"{" selected" if provider == "twilio" else ""}>Twilio</option>
  </select></label>
  <button type="submit">Open</button>
</form>
<p id="status" class="muted" role="status"></p>
<main id="conversation" aria-live="polite"><p class="muted">Pick a phone to see its SMS.</p></main>
<form id="composer">
  <textarea id="text" rows="2" maxlength="1600" placeholder="SMS to the desk" required></textarea>
  <button type="submit">Send</button>
</form>
<p id="counter" class="muted"></p>
<script src="/static/phone.js"></script>
</body>
</html>
"""


@page_router.get("/", response_class=HTMLResponse)
async def phone_page(
    state: SmsFakeStateDep,
    phone: Annotated[str, Query(max_length=32, description="the phone to open")] = "",
    provider: Annotated[str, Query(pattern="^(smsru|twilio)$")] = "smsru",
) -> HTMLResponse:
    """The phone page; `?phone=&provider=` open a conversation straight away."""
    return HTMLResponse(_page(state.settings, phone, provider))
