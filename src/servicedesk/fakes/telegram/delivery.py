"""Webhook delivery: each update POSTed as JSON, retried with backoff until it is taken.

Up to `max_connections` updates are in flight at once (oldest first); a failed one waits
0.5 s, 1 s, 2 s… (at most 10 s) between attempts and is given up after an hour, as the
settings say. Every attempt is recorded, and the last failure shows in getWebhookInfo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus

import httpx

from servicedesk.fakes.telegram.bots import BotAccount, DeliveryAttempt, QueuedUpdate, Webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    backoff_start_s: float
    backoff_cap_s: float
    give_up_s: float
    timeout_s: float


def failure_text(status_code: int | None, error: BaseException | None) -> str:
    """What Telegram writes in last_error_message."""
    if status_code is not None:
        try:
            phrase = HTTPStatus(status_code).phrase
        except ValueError:
            phrase = "Unknown"
        return f"Wrong response from the webhook: {status_code} {phrase}"
    if isinstance(error, httpx.ConnectError):
        return "Connection refused"
    if isinstance(error, httpx.TimeoutException):
        return "Read timeout expired"
    return f"Connection failed: {type(error).__name__}"


class WebhookDeliverer:
    """Delivers one bot's queue to its webhook for as long as the webhook stays set."""

    def __init__(
        self, bot: BotAccount, webhook: Webhook, http: httpx.AsyncClient, policy: DeliveryPolicy
    ) -> None:
        self.bot = bot
        self.webhook = webhook
        self.http = http
        self.policy = policy
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"webhook-delivery-{self.bot.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self.webhook.max_connections)
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                await slots.acquire()
                update = await self._next_update()
                update.in_flight = True
                task = asyncio.create_task(self._deliver(update))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: slots.release())
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            for queued in self.bot.queue:
                queued.in_flight = False

    async def _next_update(self) -> QueuedUpdate:
        while True:
            arrival = self.bot.arrival()
            update = self.bot.next_undelivered()
            if update is not None:
                return update
            await arrival.wait()

    async def _deliver(self, update: QueuedUpdate) -> None:
        delay = self.policy.backoff_start_s
        attempt = 0
        while True:
            attempt += 1
            if await self._attempt(update, attempt):
                self.bot.remove(update)
                return
            if time.time() - update.created >= self.policy.give_up_s:
                log.warning("webhook update given up", extra={"update_id": update.update_id})
                self.bot.remove(update)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.policy.backoff_cap_s)

    async def _attempt(self, update: QueuedUpdate, attempt: int) -> bool:
        headers = {}
        if self.webhook.secret_token is not None:
            headers[SECRET_HEADER] = self.webhook.secret_token
        started = time.perf_counter()
        status_code: int | None = None
        error: BaseException | None = None
        try:
            answer = await self.http.post(
                self.webhook.url, json=update.body, headers=headers, timeout=self.policy.timeout_s
            )
            status_code = answer.status_code
        except httpx.HTTPError as failed:
            error = failed
        delivered = status_code is not None and 200 <= status_code < 300
        text = None if delivered else failure_text(status_code, error)
        self.bot.deliveries.append(
            DeliveryAttempt(
                update_id=update.update_id,
                attempt=attempt,
                status_code=status_code,
                error=text,
                at=time.time(),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
        )
        if text is not None:
            self.bot.record_error(text)
        return delivered
