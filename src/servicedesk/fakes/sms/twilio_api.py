"""Twilio's Messages API as the fake serves it (API version 2010-04-01).

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` creates a message (201 with the Message
resource); `GET .../Messages/{MessageSid}.json` fetches one. HTTP Basic auth with the account
SID and auth token; refusals are Twilio's `{"code", "message", "more_info", "status"}`: 401
code 20003 for wrong credentials, 404 code 20404 for another account or an unknown message,
400 codes 21604/21603/21602/21211/21606/21609/21617 for bad fields, and 500 code 20500 while a
`fail_next` fault is armed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from servicedesk.fakes.sms.lifecycle import API_VERSION, accept
from servicedesk.fakes.sms.messages import FakeMessage
from servicedesk.fakes.sms.numbers import NotAPhone, e164
from servicedesk.fakes.sms.state import SmsFakeState, SmsFakeStateDep

twilio_router = APIRouter(tags=["twilio"], include_in_schema=False)
ACCOUNT = f"/{API_VERSION}/Accounts/{{account_sid}}"
MAX_BODY = 1600
ERROR_TEXTS = {30003: "Unreachable destination handset"}


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _credentials_match(request: Request, state: SmsFakeState) -> bool:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    user, _, password = decoded.partition(b":")
    settings = state.settings
    same_user = hmac.compare_digest(user, settings.twilio_account_sid.encode())
    token = settings.twilio_auth_token.get_secret_value().encode()
    return same_user & hmac.compare_digest(password, token)


def _refusal(request: Request, state: SmsFakeState, account_sid: str) -> JSONResponse | None:
    if not _credentials_match(request, state):
        return twilio_error(401, 20003, "Authenticate")
    if account_sid != state.settings.twilio_account_sid:
        return twilio_error(404, 20404, f"The requested resource {request.url.path} was not found")
    return None


def _date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(timestamp), UTC))


def message_resource(state: SmsFakeState, message: FakeMessage) -> dict[str, Any]:
    """The Message resource as Twilio renders it."""
    account = state.settings.twilio_account_sid
    uri = f"/{API_VERSION}/Accounts/{account}/Messages/{message.message_id}"
    outbound = message.direction == "to_phone"
    sent = [change.at for change in message.history if change.status == "sent"]
    return {
        "account_sid": account,
        "api_version": API_VERSION,
        "body": message.text,
        "date_created": _date(message.created_at),
        "date_sent": _date(sent[0]) if sent else None,
        "date_updated": _date(message.updated_at),
        "direction": "outbound-api" if outbound else "inbound",
        "error_code": message.error_code,
        "error_message": ERROR_TEXTS.get(message.error_code or 0),
        "from": message.desk if outbound else message.phone,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(message.segments.parts),
        "price": None,
        "price_unit": "USD",
        "sid": message.message_id,
        "status": message.status,
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": message.phone if outbound else message.desk,
        "uri": f"{uri}.json",
    }


def _field_error(form: dict[str, str], state: SmsFakeState) -> JSONResponse | None:
    to, sender, body = form.get("To"), form.get("From"), form.get("Body")
    callback = form.get("StatusCallback")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not sender and not form.get("MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if sender and sender != state.settings.twilio_number:
        return twilio_error(
            400,
            21606,
            f"The From phone number {sender} is not a valid, SMS-capable inbound phone number "
            "or short code for your account.",
        )
    if not body:
        return twilio_error(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    if callback and not callback.startswith(("http://", "https://")):
        return twilio_error(400, 21609, f"The StatusCallback URL {callback} is not a valid URL.")
    return None


@twilio_router.post(f"{ACCOUNT}/Messages.json")
async def create_message(
    account_sid: str, request: Request, state: SmsFakeStateDep
) -> JSONResponse:
    """Sends `Body` from `From` to `To`; statuses go to `StatusCallback`."""
    refusal = _refusal(request, state, account_sid)
    if refusal is not None:
        return refusal
    if state.take_failure("twilio"):
        return twilio_error(500, 20500, "Internal Server Error")
    body = (await request.body()).decode("utf-8", "replace")
    form = dict(parse_qsl(body, keep_blank_values=True))
    wrong = _field_error(form, state)
    if wrong is not None:
        return wrong
    to = form["To"]
    try:
        phone = e164(to)
    except NotAPhone:
        phone = None
    if phone is None or not to.startswith("+"):
        return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    message = accept(
        state,
        "twilio",
        phone,
        form["Body"],
        desk=state.settings.twilio_number,
        status_callback=form.get("StatusCallback") or None,
    )
    return JSONResponse(message_resource(state, message), status_code=201)


@twilio_router.get(f"{ACCOUNT}/Messages/{{message_sid}}.json")
async def fetch_message(
    account_sid: str, message_sid: str, request: Request, state: SmsFakeStateDep
) -> JSONResponse:
    refusal = _refusal(request, state, account_sid)
    if refusal is not None:
        return refusal
    message = state.find("twilio", message_sid)
    if message is None:
        return twilio_error(404, 20404, f"The requested resource {request.url.path} was not found")
    return JSONResponse(message_resource(state, message))
