"""SMS.ru, the reference adapter (https://sms.ru/api).

Sending: `POST {base}/sms/send` with `api_id`, `to` (digits, no '+'), `msg`, `json=1` and an
optional approved sender `from`. The JSON answer carries a top-level `status`/`status_code`
(100 = done) and, per number, its own `status`, `status_code` and `sms_id`. Refusals come back
with HTTP 200 and `"status": "ERROR"` (200 wrong api_id, 201 no money, 202 bad number, …).

Callbacks: SMS.ru POSTs one account-wide handler URL a form `data[0]`, `data[1]`, … Each item
is newline-joined lines whose first line says its kind:
- `sms_status` / `<sms_id>` / `<code>`: 101 to the operator, 102 sent, 103 delivered, 104 expired,
  105–108 not delivered (deleted, phone failure, unknown, rejected), 110 read, 150 no route;
- `sms_incoming` / `<sms_id>` / `<from>` / `<to>` / `<unix time>` / `<text, may span lines>`: an
  SMS to the account's number. This layout is our assumption: the public documentation we
  could check does not show incoming items, so the local fake sends exactly this;
- any other kind (`callcheck_status`…) is rejected by `parse_statuses` (and skipped by
  `parse_inbound`, so it is counted once).
The handler must answer the body `100`; anything else and SMS.ru sends the callback again.

Verification: no signature on SMS.ru callbacks could be confirmed in its documentation, so the
handler URL registered with SMS.ru carries a secret, `...?secret=<callback_secret>`, which
`verify` compares in constant time (also keep the handler on HTTPS, and allowlist SMS.ru's IPs
at the edge if you can).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from servicedesk.channels.sms.phones import InvalidPhone, digits_only, normalize_phone
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

LOCAL_API_ID = "local-smsru-api-id"
LOCAL_CALLBACK_SECRET = "local-smsru-callback-secret"  # noqa: S105 - the local fake's
STATUS_KIND = "sms_status"
INBOUND_KIND = "sms_incoming"
STATUS_CODES: dict[int, SmsStatus] = {
    100: "queued",
    101: "queued",
    102: "sent",
    103: "delivered",
    104: "expired",
    105: "undelivered",
    106: "undelivered",
    107: "undelivered",
    108: "failed",
    110: "delivered",
    150: "failed",
}
# Refusals worth sending again later: service unavailable, identical-message rate, server error.
RETRYABLE_CODES = frozenset({220, 231, 500})
DATA_KEY = re.compile(r"^data\[(\d*)\]$")


class SmsRuSettings(BaseModel):
    """Where SMS.ru is and who we are there. The defaults talk to the local fake."""

    base_url: str = "http://127.0.0.1:8082"  # https://sms.ru in production
    api_id: SecretStr = SecretStr(LOCAL_API_ID)
    sender: str | None = None  # an approved sender name; None: the account's default
    callback_secret: SecretStr = SecretStr(LOCAL_CALLBACK_SECRET)
    timeout_s: float = 10.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _unix_time(value: str) -> datetime | None:
    seconds = _code(value)
    if seconds is None or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _refusal(answer: dict[str, Any]) -> SmsSendFailed:
    code = _code(answer.get("status_code"))
    text = answer.get("status_text") or "no description"
    return SmsSendFailed(
        f"SMS.ru refused: {code} {text}",
        retryable=code in RETRYABLE_CODES,
        code=None if code is None else str(code),
    )


def data_items(request: CallbackRequest) -> list[str]:
    """The `data[n]` values in index order (`data[]` keeps the order it came in)."""
    found: list[tuple[int, int, str]] = []
    for position, (key, value) in enumerate(request.form):
        matched = DATA_KEY.match(key)
        if matched is not None:
            index = int(matched.group(1)) if matched.group(1) else position
            found.append((index, position, value))
    return [value for _, _, value in sorted(found)]


def _lines(item: str) -> list[str]:
    return item.replace("\r\n", "\n").split("\n")


class SmsRuProvider:
    """The `SmsProvider` for SMS.ru."""

    name: ProviderName = "smsru"

    def __init__(
        self,
        settings: SmsRuSettings,
        http: httpx.AsyncClient,
        *,
        region: str = "RU",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.http = http
        self.region = region
        self.clock = clock

    async def send(self, to: str, text: str, *, status_callback: str | None = None) -> SentSms:
        """`status_callback` is ignored: SMS.ru reports to the account's handler URL."""
        try:
            number = digits_only(normalize_phone(to, self.region))
        except InvalidPhone as error:
            raise SmsSendFailed(f"not a phone number: {error.reason}", retryable=False) from error
        if not text:
            raise SmsSendFailed("empty text", retryable=False)
        form = {
            "api_id": self.settings.api_id.get_secret_value(),
            "to": number,
            "msg": text,
            "json": "1",
        }
        if self.settings.sender:
            form["from"] = self.settings.sender
        answer = await self._post("/sms/send", form)
        if answer.get("status") != "OK":
            raise _refusal(answer)
        result = (answer.get("sms") or {}).get(number)
        if not isinstance(result, dict):
            raise SmsSendFailed("SMS.ru gave no result for the number", retryable=False)
        if result.get("status") != "OK":
            raise _refusal(result)
        sms_id, code = result.get("sms_id"), _code(result.get("status_code"))
        if not sms_id:
            raise SmsSendFailed("SMS.ru accepted the message without an sms_id", retryable=False)
        status = STATUS_CODES.get(code or 100, "queued")
        return SentSms("smsru", str(sms_id), status, str(code or 100))

    async def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        url = self.settings.base_url.rstrip("/") + path
        try:
            answer = await self.http.post(url, data=form, timeout=self.settings.timeout_s)
        except httpx.TimeoutException as error:
            raise SmsSendFailed("SMS.ru did not answer in time", retryable=True) from error
        except httpx.HTTPError as error:
            reason = f"SMS.ru unreachable: {type(error).__name__}"
            raise SmsSendFailed(reason, retryable=True) from error
        if answer.status_code != 200:
            retryable = answer.status_code >= 500 or answer.status_code == 429
            raise SmsSendFailed(f"SMS.ru answered HTTP {answer.status_code}", retryable=retryable)
        try:
            body = answer.json()
        except ValueError as error:
            raise SmsSendFailed("SMS.ru answered something not JSON", retryable=False) from error
        if not isinstance(body, dict):
            raise SmsSendFailed("SMS.ru answered JSON that is not an object", retryable=False)
        return body

    def verify(self, request: CallbackRequest) -> bool:
        """The handler URL's `secret` query value equals `callback_secret`."""
        expected = self.settings.callback_secret.get_secret_value().encode()
        given = [value for key, value in request.query() if key == "secret"]
        if request.method != "POST" or not expected or len(given) != 1:
            return False
        return hmac.compare_digest(given[0].encode(), expected)

    def parse_statuses(self, request: CallbackRequest) -> Parsed[StatusReport]:
        reports: list[StatusReport] = []
        rejected: list[Rejected] = []
        items = data_items(request)
        if not items:
            rejected.append(Rejected("no data[] items in the callback", ""))
        for item in items:
            lines = _lines(item)
            kind = lines[0].strip()
            if kind == INBOUND_KIND:
                continue
            if kind != STATUS_KIND:
                rejected.append(Rejected(f"unknown item kind {kind!r}", item))
                continue
            if len(lines) < 3 or not lines[1].strip():
                rejected.append(Rejected("an sms_status item needs an sms_id and a code", item))
                continue
            code = _code(lines[2].strip())
            status = STATUS_CODES.get(code) if code is not None else None
            if code is None or status is None:
                rejected.append(Rejected(f"unknown status code {lines[2].strip()!r}", item))
                continue
            reports.append(StatusReport("smsru", lines[1].strip(), status, str(code), self.clock()))
        return Parsed(tuple(reports), tuple(rejected))

    def parse_inbound(self, request: CallbackRequest) -> Parsed[InboundSms]:
        received: list[InboundSms] = []
        rejected: list[Rejected] = []
        for item in data_items(request):
            lines = _lines(item)
            if lines[0].strip() != INBOUND_KIND:
                continue
            read = self._inbound(lines)
            if isinstance(read, str):
                rejected.append(Rejected(read, item))
            else:
                received.append(read)
        return Parsed(tuple(received), tuple(rejected))

    def _inbound(self, lines: list[str]) -> InboundSms | str:
        """The SMS, or why the item cannot be read."""
        if len(lines) < 6:
            return "an sms_incoming item needs sms_id, from, to, time and text"
        sms_id, sender, to, sent_at = (line.strip() for line in lines[1:5])
        text = "\n".join(lines[5:])
        if not sms_id:
            return "no sms_id"
        try:
            from_phone = normalize_phone(sender, self.region)
        except InvalidPhone as error:
            return f"bad sender: {error.reason}"
        received_at = _unix_time(sent_at)
        if received_at is None:
            return f"bad time {sent_at!r}"
        if not text.strip():
            return "empty text"
        return InboundSms("smsru", sms_id, from_phone, to, text, received_at)

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, "text/plain", "100")
