"""Callbacks as the providers make them: form POSTs, signed (Twilio), retried until taken.

SMS.ru counts a callback as taken only when the handler answers the body `100`; Twilio, on any
2xx. A failed callback waits 0.5 s, 1 s, 2 s… (at most `callback_backoff_cap_s`) and is given
up after `callback_give_up_s`. (Real Twilio retries only when the URL asks for it with
connection overrides; the fake always retries, which is what a careful receiver must survive.)
Each callback runs on its own, so a retried one may arrive after a later one, as in life.
Every attempt is recorded for `GET /control/callbacks`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from servicedesk.fakes.sms.messages import Callback, CallbackAttempt, CallbackState

log = logging.getLogger(__name__)
TWILIO_SIGNATURE = "X-Twilio-Signature"
SMSRU_TAKEN = "100"
FORM_TYPE = "application/x-www-form-urlencoded"


def sign_twilio(auth_token: str, url: str, form: tuple[tuple[str, str], ...]) -> str:
    """base64(HMAC-SHA1(auth token, URL + each parameter, sorted by name, as name then value))."""
    payload = url
    for name, value in sorted(form):
        payload += name + value
    mac = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    backoff_start_s: float
    backoff_cap_s: float
    give_up_s: float
    timeout_s: float


def _failure(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "connection refused"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    return f"connection failed: {type(error).__name__}"


class CallbackDeliverer:
    """POSTs callbacks with retries, recording each attempt through `record`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        policy: DeliveryPolicy,
        record: Callable[[CallbackAttempt], None],
    ) -> None:
        self.http = http
        self.policy = policy
        self.record = record

    async def deliver(self, callback: Callback, report: Callable[[CallbackState], None]) -> bool:
        """Tries until the receiver takes it or the policy gives up; `report` hears each turn."""
        started = time.monotonic()
        delay = self.policy.backoff_start_s
        attempt = 0
        while True:
            attempt += 1
            if await self._attempt(callback, attempt):
                report("delivered")
                return True
            if time.monotonic() - started >= self.policy.give_up_s:
                log.warning("sms callback given up", extra={"url": callback.url})
                report("given up")
                return False
            report("retrying")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.policy.backoff_cap_s)

    async def _attempt(self, callback: Callback, attempt: int) -> bool:
        started = time.perf_counter()
        status_code: int | None = None
        answer: str | None = None
        error: str | None = None
        try:
            response = await self.http.post(
                callback.url,
                content=urlencode(callback.form).encode(),
                headers={"Content-Type": FORM_TYPE, **dict(callback.headers)},
                timeout=self.policy.timeout_s,
            )
            status_code, answer = response.status_code, response.text[:200]
        except httpx.HTTPError as failed:
            error = _failure(failed)
        taken = status_code is not None and 200 <= status_code < 300
        if taken and callback.provider == "smsru" and (answer or "").strip() != SMSRU_TAKEN:
            taken, error = False, f"the handler did not answer {SMSRU_TAKEN}"
        if not taken and error is None:
            error = f"HTTP {status_code}"
        self.record(
            CallbackAttempt(
                provider=callback.provider,
                kind=callback.kind,
                message_id=callback.message_id,
                url=callback.url,
                attempt=attempt,
                status_code=status_code,
                answer=answer,
                error=None if taken else error,
                delivered=taken,
                at=time.time(),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
        )
        return taken
