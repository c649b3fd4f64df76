"""Twilio Programmable Messaging (https://www.twilio.com/docs/messaging/api/message-resource).

Sending: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth
`AccountSid:AuthToken`, form `To`, `From`, `Body` (≤ 1600 characters) and an optional
`StatusCallback`. 201 with the Message resource in JSON (`sid` "SM…", `status` "queued");
refusals as `{"code", "message", "more_info", "status"}` with the HTTP status (401 code 20003
for wrong credentials, 400 code 21211 for a bad `To`, …).

Callbacks are form POSTs, each signed: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, the
full URL Twilio called + every POST parameter sorted by name, as name then value)).
- Status callbacks go to the message's `StatusCallback`: `MessageSid`, `MessageStatus` (queued,
  sent, delivered, undelivered, failed, …), `ErrorCode` on failures, plus `SmsSid`,
  `SmsStatus`, `AccountSid`, `From`, `To`, `ApiVersion`.
- Inbound SMS go to the number's messaging webhook: `MessageSid`, `From`, `To`, `Body`,
  `NumSegments`, `NumMedia`, `AccountSid`, …; Twilio expects TwiML back (`<Response/>`: no reply).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import BaseModel, SecretStr

from servicedesk.channels.sms.phones import InvalidPhone, normalize_phone
from servicedesk.channels.sms.port import (
    Acknowledgement,
    CallbackRequest,
    InboundSms,
    Parsed,
    ProviderName,
    Rejected,
    SentSms,
    SmsSendFailed,
    SmsStatus,
    StatusReport,
)

LOCAL_ACCOUNT_SID = "AC" + "0" * 31 + "1"
LOCAL_AUTH_TOKEN = "local-twilio-auth-token"  # noqa: S105 - the local fake's
LOCAL_FROM_NUMBER = "+15005550006"
SIGNATURE_HEADER = "x-twilio-signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
STATUS_WORDS: dict[str, SmsStatus] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "partially_delivered": "undelivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
DEFAULT_PORTS = {"https": 443, "http": 80}


class TwilioSettings(BaseModel):
    """The Twilio account and sending number. The defaults talk to the local fake."""

    base_url: str = "http://127.0.0.1:8082"  # https://api.twilio.com in production
    account_sid: str = LOCAL_ACCOUNT_SID
    auth_token: SecretStr = SecretStr(LOCAL_AUTH_TOKEN)
    from_number: str = LOCAL_FROM_NUMBER
    timeout_s: float = 10.0


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """What Twilio puts in X-Twilio-Signature for a form POST of `params` to `url`."""
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with its default port written out or left out (Twilio signs
    whichever form it called, and proxies may add or drop the port)."""
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    variants = [url]
    if default is None or parts.hostname is None:
        return variants
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    if parts.port is None:
        netloc = f"{prefix}{host}:{default}"
    elif parts.port == default:
        netloc = f"{prefix}{host}"
    else:
        return variants
    variants.append(urlunsplit(parts._replace(netloc=netloc)))
    return variants


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _summary(request: CallbackRequest) -> str:
    return "&".join(f"{name}={value}" for name, value in request.form)[:500]


class TwilioProvider:
    """The `SmsProvider` for Twilio."""

    name: ProviderName = "twilio"

    def __init__(
        self,
        settings: TwilioSettings,
        http: httpx.AsyncClient,
        *,
        region: str = "RU",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.http = http
        self.region = region
        self.clock = clock

    @property
    def messages_url(self) -> str:
        base = self.settings.base_url.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.settings.account_sid}/Messages.json"

    async def send(self, to: str, text: str, *, status_callback: str | None = None) -> SentSms:
        try:
            number = normalize_phone(to, self.region)
        except InvalidPhone as error:
            raise SmsSendFailed(f"not a phone number: {error.reason}", retryable=False) from error
        if not text:
            raise SmsSendFailed("empty text", retryable=False)
        form = {"To": number, "From": self.settings.from_number, "Body": text}
        if status_callback:
            form["StatusCallback"] = status_callback
        auth = (self.settings.account_sid, self.settings.auth_token.get_secret_value())
        try:
            answer = await self.http.post(
                self.messages_url, data=form, auth=auth, timeout=self.settings.timeout_s
            )
        except httpx.TimeoutException as error:
            raise SmsSendFailed("Twilio did not answer in time", retryable=True) from error
        except httpx.HTTPError as error:
            reason = f"Twilio unreachable: {type(error).__name__}"
            raise SmsSendFailed(reason, retryable=True) from error
        body = self._json(answer)
        if answer.status_code != 201:
            raise SmsSendFailed(
                f"Twilio refused: HTTP {answer.status_code} {body.get('code')} "
                f"{body.get('message') or 'no description'}",
                retryable=answer.status_code >= 500 or answer.status_code == 429,
                code=None if body.get("code") is None else str(body["code"]),
            )
        sid, raw = body.get("sid"), str(body.get("status") or "queued")
        if not isinstance(sid, str) or not sid:
            raise SmsSendFailed("Twilio created a message without a sid", retryable=False)
        parts = str(body.get("num_segments") or "")
        return SentSms(
            "twilio", sid, STATUS_WORDS.get(raw, "queued"), raw, int(parts) if parts else None
        )

    @staticmethod
    def _json(answer: httpx.Response) -> dict[str, Any]:
        try:
            body = answer.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            return body
        if answer.status_code == 201:
            raise SmsSendFailed("Twilio answered 201 without a JSON object", retryable=False)
        return {}

    def verify(self, request: CallbackRequest) -> bool:
        """X-Twilio-Signature matches the URL and the form, signed with our auth token."""
        given = request.headers.get(SIGNATURE_HEADER, "").encode()
        token = self.settings.auth_token.get_secret_value()
        if request.method != "POST" or not given or not token:
            return False
        matches = [
            hmac.compare_digest(twilio_signature(token, url, request.form).encode(), given)
            for url in _url_variants(request.url)
        ]
        return any(matches)

    def parse_statuses(self, request: CallbackRequest) -> Parsed[StatusReport]:
        sid = request.first("MessageSid") or request.first("SmsSid")
        raw = request.first("MessageStatus") or request.first("SmsStatus")
        if not sid or not raw:
            reason = "a status callback needs MessageSid and MessageStatus"
            return Parsed(rejected=(Rejected(reason, _summary(request)),))
        status = STATUS_WORDS.get(raw)
        if status is None:
            return Parsed(rejected=(Rejected(f"unknown status {raw!r}", _summary(request)),))
        error_code = request.first("ErrorCode") or None
        report = StatusReport("twilio", sid, status, raw, self.clock(), error_code)
        return Parsed((report,))

    def parse_inbound(self, request: CallbackRequest) -> Parsed[InboundSms]:
        sid = request.first("MessageSid") or request.first("SmsMessageSid")
        sender, to, body = request.first("From"), request.first("To"), request.first("Body")
        if not sid or not sender or not to or body is None:
            reason = "an inbound message needs MessageSid, From, To and Body"
            return Parsed(rejected=(Rejected(reason, _summary(request)),))
        if not body.strip():
            reason = "empty text (media-only messages are not read)"
            return Parsed(rejected=(Rejected(reason, _summary(request)),))
        try:
            from_phone = normalize_phone(sender, self.region)
        except InvalidPhone as error:
            rejected = Rejected(f"bad sender: {error.reason}", _summary(request))
            return Parsed(rejected=(rejected,))
        return Parsed((InboundSms("twilio", sid, from_phone, to, body, self.clock()),))

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, "text/xml", EMPTY_TWIML)
