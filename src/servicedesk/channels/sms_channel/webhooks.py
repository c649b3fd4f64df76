"""The gateways' callbacks: inbound SMS and delivery statuses. A request whose signature (or
secret) does not check out is refused with 401 and nothing is kept; an inbound SMS is stored
under the gateway's id (a repeat is acknowledged and ignored) and processed afterwards; a
status already recorded changes nothing (replayed callbacks). Items that cannot be used are
counted and logged, and the callback is acknowledged as the gateway expects, so it does not
retry forever."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.channels.intake.queue import store
from servicedesk.channels.metrics import MESSAGES_OUT, UNUSABLE_INPUT, WEBHOOK_ACK
from servicedesk.channels.models import Delivery, DeliveryStatus, ProviderMessage
from servicedesk.channels.sms.callbacks import read_callback
from servicedesk.channels.sms.port import CallbackRequest, Parsed, SmsProvider, StatusReport
from servicedesk.channels.state import ChannelsState, channels_state
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import NotFound, Unauthorized
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.state import kernel_state

log = logging.getLogger(__name__)
router = APIRouter(prefix="/channels/sms", tags=["sms"])
DELIVERED, FAILED = "delivered", frozenset({"failed", "expired", "undelivered"})


class ForgedCallback(Unauthorized):
    code = "forged-callback"


def _provider(state: ChannelsState, name: str) -> SmsProvider:
    provider = state.sms.get(name)
    if provider is None:
        raise NotFound(_t("no SMS gateway {name} here", name=name))
    return provider


async def _verified(
    request: Request, state: ChannelsState, provider: SmsProvider
) -> CallbackRequest:
    query = f"?{request.url.query}" if request.url.query else ""
    public = f"{state.settings.public_url.rstrip('/')}{request.url.path}{query}"
    callback = await read_callback(request, public_url=public)
    if not provider.verify(callback):
        UNUSABLE_INPUT.labels("sms", "forged").inc()
        log.warning("SMS callback with a wrong signature refused", extra={"gateway": provider.name})
        raise ForgedCallback(_t("the callback's signature does not check out"))
    return callback


def _count_rejected(parsed: Parsed[object]) -> None:
    for rejected in parsed.rejected:
        UNUSABLE_INPUT.labels("sms", "malformed").inc()
        log.warning("SMS callback item not usable", extra={"reason": rejected.reason})


async def _keep_inbound(
    session: WriteSession, provider: SmsProvider, callback: CallbackRequest
) -> bool:
    parsed = provider.parse_inbound(callback)
    stored = False
    for sms in parsed:
        stored |= await store(
            session,
            channel="sms",
            source=provider.name,
            external_id=sms.provider_id,
            thread=f"sms:{sms.from_phone}",
            payload={
                "from": sms.from_phone,
                "to": sms.to,
                "text": sms.text,
                "gateway": provider.name,
                "received_at": sms.received_at.isoformat(),
            },
        )
    return stored


async def apply_status(session: WriteSession, report: StatusReport) -> str:
    """Records a reported status once; the delivery follows it. What it did."""
    first = await session.scalar(
        insert(DeliveryStatus)
        .values(
            provider=report.provider, provider_message_id=report.provider_id, status=report.status
        )
        .on_conflict_do_nothing()
        .returning(DeliveryStatus.status)
    )
    if first is None:
        return "replayed"
    delivery = await session.scalar(
        select(Delivery)
        .join(ProviderMessage, ProviderMessage.delivery_id == Delivery.id)
        .where(
            ProviderMessage.provider == report.provider,
            ProviderMessage.provider_message_id == report.provider_id,
        )
        .with_for_update()
    )
    if delivery is None:
        UNUSABLE_INPUT.labels("sms", "unknown-message").inc()
        log.warning("status for an SMS we did not send", extra={"id": report.provider_id})
        return "unknown"
    now = datetime.now(UTC)
    if report.status == DELIVERED and delivery.status != DELIVERED:
        delivery.status, delivery.delivered_at = DELIVERED, now
        MESSAGES_OUT.labels("sms", "delivered").inc()
    elif report.status in FAILED and delivery.status != DELIVERED:
        delivery.status = "failed"
        delivery.last_error = f"{report.status} ({report.raw_code})"
        MESSAGES_OUT.labels("sms", "undelivered").inc()
    delivery.updated_at = now
    return report.status


async def _callback(request: Request, name: str, *, inbound: bool, statuses: bool) -> Response:
    started = datetime.now(UTC)
    state = channels_state(request)
    provider = _provider(state, name)
    callback = await _verified(request, state, provider)
    stored = False
    async with kernel_state(request).require_database().write() as session:
        if inbound:
            stored = await _keep_inbound(session, provider, callback)
        if statuses:
            parsed = provider.parse_statuses(callback)
            _count_rejected(parsed)  # type: ignore[arg-type]
            for report in parsed:
                await apply_status(session, report)
    if stored:
        state.inbox.wake()
    WEBHOOK_ACK.labels("sms").observe((datetime.now(UTC) - started).total_seconds())
    answer = provider.acknowledge()
    return Response(answer.body, status_code=answer.status, media_type=answer.content_type)


@router.post("/smsru/callback", responses={401: {"description": "forged"}})
async def smsru_callback(request: Request) -> Response:
    """SMS.ru's one callback: delivery statuses and incoming SMS in `data[]`; answers `100`."""
    return await _callback(request, "smsru", inbound=True, statuses=True)


@router.post("/twilio/inbound", responses={401: {"description": "forged"}})
async def twilio_inbound(request: Request) -> Response:
    """An SMS to our Twilio number, signed with X-Twilio-Signature; answers empty TwiML."""
    return await _callback(request, "twilio", inbound=True, statuses=False)


@router.post("/twilio/status", responses={401: {"description": "forged"}})
async def twilio_status(request: Request) -> Response:
    """A status callback of a message we sent, signed with X-Twilio-Signature."""
    return await _callback(request, "twilio", inbound=False, statuses=True)
