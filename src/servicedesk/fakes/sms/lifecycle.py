"""A message's life in the fake: statuses over about a second, and the callbacks about them.

Sent by the desk (to a phone):
- SMS.ru: accepted as 100, then 102 (sent) and 103 (delivered), or 106 (not delivered) for an
  undeliverable phone; 102 and the final code are called back to the account's handler URL.
- Twilio: accepted as queued, then sent and delivered, or undelivered with ErrorCode 30003;
  every status (queued included) is called back to the message's StatusCallback, signed.
Sent by a phone (to the desk): one callback, SMS.ru's `sms_incoming` item to the handler URL,
or Twilio's inbound webhook, signed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from servicedesk.fakes.sms.delivery import TWILIO_SIGNATURE, sign_twilio
from servicedesk.fakes.sms.messages import Callback, CallbackKind, FakeMessage, Provider
from servicedesk.fakes.sms.numbers import country, split
from servicedesk.fakes.sms.state import SmsFakeState

API_VERSION = "2010-04-01"
SMSRU_PATH = ("102", "103")
SMSRU_UNDELIVERABLE_PATH = ("102", "106")
TWILIO_PATH = ("sent", "delivered")
TWILIO_UNDELIVERABLE_PATH = ("sent", "undelivered")
UNREACHABLE_HANDSET = 30003
TWILIO_FINAL = frozenset({"delivered", "undelivered", "failed"})


def new_twilio_sid() -> str:
    return "SM" + uuid.uuid4().hex


def _twilio_form(
    state: SmsFakeState, message: FakeMessage, kind: CallbackKind
) -> list[tuple[str, str]]:
    sid, account = message.message_id, state.settings.twilio_account_sid
    if kind == "inbound":
        return [
            ("ToCountry", country(message.desk)),
            ("SmsMessageSid", sid),
            ("NumMedia", "0"),
            ("SmsSid", sid),
            ("SmsStatus", message.status),
            ("Body", message.text),
            ("FromCountry", country(message.phone)),
            ("To", message.desk),
            ("NumSegments", str(message.segments.parts)),
            ("MessageSid", sid),
            ("AccountSid", account),
            ("From", message.phone),
            ("ApiVersion", API_VERSION),
        ]
    form = [
        ("SmsSid", sid),
        ("SmsStatus", message.status),
        ("MessageStatus", message.status),
        ("To", message.phone),
        ("MessageSid", sid),
        ("AccountSid", account),
        ("From", message.desk),
        ("ApiVersion", API_VERSION),
    ]
    if message.error_code is not None:
        form.append(("ErrorCode", str(message.error_code)))
    if message.status in TWILIO_FINAL:
        form.append(("RawDlrDoneDate", datetime.now(UTC).strftime("%y%m%d%H%M")))
    return form


def _twilio_callback(
    state: SmsFakeState, message: FakeMessage, kind: CallbackKind, url: str
) -> Callback:
    form = tuple(_twilio_form(state, message, kind))
    signature = sign_twilio(state.settings.twilio_auth_token.get_secret_value(), url, form)
    headers = ((TWILIO_SIGNATURE, signature),)
    return Callback("twilio", kind, message.message_id, url, form, headers)


def _smsru_callback(url: str, message: FakeMessage, kind: CallbackKind) -> Callback:
    if kind == "status":
        item = f"sms_status\n{message.message_id}\n{message.status}"
    else:
        lines = ("sms_incoming", message.message_id, message.phone.lstrip("+"), message.desk)
        item = "\n".join((*lines, str(int(message.created_at)), message.text))
    return Callback("smsru", kind, message.message_id, url, (("data[0]", item),))


def callback_for(state: SmsFakeState, message: FakeMessage, kind: CallbackKind) -> Callback | None:
    """The callback about the message's current state, or None when nobody is to be called."""
    if message.provider == "smsru":
        url = state.settings.smsru_callback_url
        return _smsru_callback(url, message, kind) if url else None
    url = message.status_callback if kind == "status" else state.settings.twilio_inbound_url
    return _twilio_callback(state, message, kind, url) if url else None


def _call_back(state: SmsFakeState, message: FakeMessage, kind: CallbackKind) -> None:
    callback = callback_for(state, message, kind)
    if callback is None:
        message.callback_state = "no url"
    else:
        state.send(message, callback)


async def _progress(state: SmsFakeState, message: FakeMessage, undeliverable: bool) -> None:
    if message.provider == "smsru":
        path = SMSRU_UNDELIVERABLE_PATH if undeliverable else SMSRU_PATH
    else:
        path = TWILIO_UNDELIVERABLE_PATH if undeliverable else TWILIO_PATH
        _call_back(state, message, "status")  # queued
    for status in path:
        await asyncio.sleep(state.settings.status_step_s)
        failed = status in ("undelivered", "106")
        error = UNREACHABLE_HANDSET if failed and message.provider == "twilio" else None
        message.move_to(status, error)
        _call_back(state, message, "status")


def accept(
    state: SmsFakeState,
    provider: Provider,
    phone: str,
    text: str,
    *,
    desk: str,
    status_callback: str | None = None,
) -> FakeMessage:
    """A message the desk sent to `phone` (E.164), taken for delivery."""
    message = FakeMessage(
        provider=provider,
        message_id=state.next_smsru_id() if provider == "smsru" else new_twilio_sid(),
        direction="to_phone",
        phone=phone,
        desk=desk,
        text=text,
        segments=split(text),
        status="100" if provider == "smsru" else "queued",
        status_callback=status_callback,
    )
    state.add(message)
    undeliverable = phone in state.faults[provider].undeliverable
    state.spawn(_progress(state, message, undeliverable))
    return message


def receive(state: SmsFakeState, provider: Provider, phone: str, text: str) -> FakeMessage:
    """A phone sends the desk an SMS: kept, and called in to the desk."""
    smsru = provider == "smsru"
    message = FakeMessage(
        provider=provider,
        message_id=state.next_smsru_id() if smsru else new_twilio_sid(),
        direction="from_phone",
        phone=phone,
        desk=state.settings.smsru_number if smsru else state.settings.twilio_number,
        text=text,
        segments=split(text),
        status="received",
        created_at=time.time(),
    )
    state.add(message)
    _call_back(state, message, "inbound")
    return message


def replay(state: SmsFakeState, message: FakeMessage) -> Callback | None:
    """Sends the message's last callback again, unchanged (same body, same signature)."""
    callback = message.last_callback
    if callback is not None:
        state.send(message, callback)
    return callback
