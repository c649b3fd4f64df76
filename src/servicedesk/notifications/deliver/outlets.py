"""Where messages leave: mail by SMTP, Telegram and SMS through the channels service's outbound
API, and escalation notes on incidents through the tickets service. Each answers with an
`Outcome`: sent, retry later, or give up (with the reason)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from servicedesk.kernel.mail import MailRejected, MailSettings, MailUnavailable, send_message
from servicedesk.kernel.service_client import CallFailed, ServiceClient
from servicedesk.notifications.deliver.email import Letter, Thread, compose


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"  # will not work however often tried
    SKIPPED = "skipped"  # nothing to send to (no address, person gone)


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Result
    detail: str | None = None
    external_id: str | None = None


class MailOutlet:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, letter: Letter, message_id: str, thread: Thread | None) -> Outcome:
        message = compose(letter, self.settings.from_address, message_id, thread)
        try:
            await send_message(self.settings, message)
        except MailUnavailable as exc:
            return Outcome(Result.RETRY, f"mail server: {exc}")
        except MailRejected as exc:
            return Outcome(Result.FAILED, f"mail rejected: {exc}")
        return Outcome(Result.SENT, external_id=message_id)


def _answer(response: Any, what: str) -> Outcome:
    status = response.status_code
    if status in (200, 201, 202):
        body = response.json() if response.content else {}
        return Outcome(Result.SENT, external_id=str(body.get("id", "")) or None)
    detail = f"{what}: HTTP {status} {response.text[:300]}"
    if status == 422:
        return Outcome(Result.SKIPPED, detail)
    if status in (408, 409, 425, 429) or status >= 500:
        return Outcome(Result.RETRY, detail)
    return Outcome(Result.FAILED, detail)


class ChannelsOutlet:
    """Telegram and SMS: `POST /api/v1/messages` of the channels service, the dispatch's id as
    the Idempotency-Key, so a retry after a lost answer never sends twice."""

    def __init__(self, channels: ServiceClient) -> None:
        self.channels = channels

    async def send(
        self, channel: str, user_id: str, text: str, key: str | None, dispatch_id: str
    ) -> Outcome:
        body: dict[str, Any] = {"channel": channel, "user_id": user_id, "text": text}
        if key and key.startswith("INC-"):
            body["incident_key"] = key
        try:
            response = await self.channels.request(
                "POST", "/api/v1/messages", json=body, headers={"Idempotency-Key": dispatch_id}
            )
        except CallFailed as exc:
            return Outcome(Result.RETRY, f"channels: {exc}")
        return _answer(response, "channels")


class IncidentNotes:
    """An internal note on an incident (the escalation made visible where agents look)."""

    def __init__(self, tickets: ServiceClient) -> None:
        self.tickets = tickets

    async def add(self, incident_id: str, text: str, dispatch_id: str) -> Outcome:
        try:
            response = await self.tickets.request(
                "POST",
                f"/api/v1/incidents/{incident_id}/comments",
                json={"body": text, "visibility": "internal"},
                headers={"Idempotency-Key": dispatch_id},
            )
        except CallFailed as exc:
            return Outcome(Result.RETRY, f"tickets: {exc}")
        return _answer(response, "tickets")
