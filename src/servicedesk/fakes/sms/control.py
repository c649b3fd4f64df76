"""The control API, `/control`: what a phone does, fault knobs, and what tests read.

Plain JSON, no authentication (a local fake), apart from the providers' APIs on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status
from fastapi.responses import Response

from servicedesk.fakes.sms.lifecycle import receive, replay
from servicedesk.fakes.sms.messages import CallbackAttempt, FakeMessage, Provider
from servicedesk.fakes.sms.numbers import NotAPhone, e164, split
from servicedesk.fakes.sms.schemas import (
    AttemptView,
    CallbacksView,
    Conversation,
    FaultsIn,
    FaultsView,
    InboundIn,
    InboundOut,
    MessageView,
    PhoneSummary,
    PhonesView,
    ReplayOut,
    SegmentsIn,
    SegmentsView,
    StatusChangeView,
)
from servicedesk.fakes.sms.smsru_api import SMSRU_FINAL, TEXTS
from servicedesk.fakes.sms.state import SmsFakeState, SmsFakeStateDep
from servicedesk.kernel.errors import Conflict, NotFound, invalid_field

control_router = APIRouter(prefix="/control", tags=["control"])
FINAL_WORDS = frozenset({"delivered", "undelivered", "failed", "received"})


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _phone(raw: str, field: str) -> str:
    try:
        return e164(raw)
    except NotAPhone as error:
        raise invalid_field(field, "not a phone number") from error


def _label(message: FakeMessage) -> tuple[str, bool]:
    """The status in words, and whether it is the last one."""
    if message.provider == "smsru" and message.status.lstrip("-").isdigit():
        code = int(message.status)
        return f"{code}: {TEXTS.get(code, 'unknown')}", code in SMSRU_FINAL
    return message.status, message.status in FINAL_WORDS


def message_view(message: FakeMessage) -> MessageView:
    label, final = _label(message)
    segments = message.segments
    return MessageView(
        provider=message.provider,
        message_id=message.message_id,
        direction=message.direction,
        phone=message.phone,
        desk=message.desk,
        text=message.text,
        status=message.status,
        status_label=label,
        final=final,
        error_code=message.error_code,
        segments=SegmentsView(
            encoding=segments.encoding,
            units=segments.units,
            parts=segments.parts,
            per_part=segments.per_part,
        ),
        callback=message.callback_state,
        created_at=_at(message.created_at),
        updated_at=_at(message.updated_at),
        history=[StatusChangeView(status=c.status, at=_at(c.at)) for c in message.history],
    )


def _attempt_view(attempt: CallbackAttempt) -> AttemptView:
    return AttemptView(
        provider=attempt.provider,
        kind=attempt.kind,
        message_id=attempt.message_id,
        url=attempt.url,
        attempt=attempt.attempt,
        status_code=attempt.status_code,
        answer=attempt.answer,
        error=attempt.error,
        delivered=attempt.delivered,
        at=_at(attempt.at),
        duration_ms=attempt.duration_ms,
    )


def _faults_view(state: SmsFakeState, provider: Provider) -> FaultsView:
    faults = state.faults[provider]
    return FaultsView(
        provider=provider, fail_next=faults.fail_next, undeliverable=sorted(faults.undeliverable)
    )


@control_router.post("/{provider}/inbound", response_model=InboundOut)
async def inject_inbound(provider: Provider, body: InboundIn, state: SmsFakeStateDep) -> InboundOut:
    """The phone `from` texts the desk: the provider calls the desk's webhook with it."""
    message = receive(state, provider, _phone(body.sender, "from"), body.text)
    return InboundOut(
        provider=provider,
        message_id=message.message_id,
        phone=message.phone,
        callback=message.callback_state,
    )


@control_router.get("/phones", response_model=PhonesView)
async def list_phones(state: SmsFakeStateDep) -> PhonesView:
    """Every phone that texted or was texted, the latest first."""
    by_phone: dict[str, list[FakeMessage]] = {}
    for message in state.messages.values():
        by_phone.setdefault(message.phone, []).append(message)
    phones = [
        PhoneSummary(
            phone=phone,
            providers=sorted({message.provider for message in messages}),
            message_count=len(messages),
            last_at=_at(max(message.created_at for message in messages)),
        )
        for phone, messages in by_phone.items()
    ]
    return PhonesView(phones=sorted(phones, key=lambda p: p.last_at, reverse=True))


@control_router.get("/phones/{phone}/messages", response_model=Conversation)
async def conversation(phone: str, state: SmsFakeStateDep) -> Conversation:
    """Both directions with this phone (any written form), oldest first."""
    number = _phone(phone, "phone")
    return Conversation(
        phone=number, messages=[message_view(m) for m in state.conversation(number)]
    )


@control_router.post(
    "/{provider}/replay-status/{message_id}",
    response_model=ReplayOut,
    status_code=status.HTTP_202_ACCEPTED,
)
async def replay_status(provider: Provider, message_id: str, state: SmsFakeStateDep) -> ReplayOut:
    """Sends the message's last callback again, byte for byte (a provider's duplicate)."""
    message = state.find(provider, message_id)
    if message is None:
        raise NotFound(f"{provider} has no message {message_id}")
    callback = replay(state, message)
    if callback is None:
        raise Conflict(f"no callback about {message_id} has been made (no URL to call)")
    return ReplayOut(provider=provider, message_id=message_id, kind=callback.kind, url=callback.url)


@control_router.post("/faults", response_model=FaultsView)
async def set_faults(body: FaultsIn, state: SmsFakeStateDep) -> FaultsView:
    """Arms `fail_next` refusals of the send API and/or sets the undeliverable phones."""
    faults = state.faults[body.provider]
    if body.fail_next is not None:
        faults.fail_next = body.fail_next
    if body.undeliverable is not None:
        faults.undeliverable = {
            _phone(raw, f"undeliverable[{index}]") for index, raw in enumerate(body.undeliverable)
        }
    return _faults_view(state, body.provider)


@control_router.get("/faults/{provider}", response_model=FaultsView)
async def get_faults(provider: Provider, state: SmsFakeStateDep) -> FaultsView:
    return _faults_view(state, provider)


@control_router.post("/reset", status_code=status.HTTP_204_NO_CONTENT)
async def reset(state: SmsFakeStateDep) -> Response:
    """Forgets every message, callback attempt and fault; stops every callback in flight."""
    await state.reset()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@control_router.get("/callbacks", response_model=CallbacksView)
async def callbacks(state: SmsFakeStateDep) -> CallbacksView:
    """Every callback attempt (status and inbound, both providers), oldest first."""
    return CallbacksView(attempts=[_attempt_view(attempt) for attempt in state.attempts])


@control_router.post("/segments", response_model=SegmentsView)
async def segments(body: SegmentsIn) -> SegmentsView:
    """How a text would be split into SMS (for the phone page's counter)."""
    counted = split(body.text)
    return SegmentsView(
        encoding=counted.encoding,
        units=counted.units,
        parts=counted.parts,
        per_part=counted.per_part,
    )
