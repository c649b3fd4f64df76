"""The outbound API for other services (notifications): send a message to a user or contact
over a channel, with an Idempotency-Key; read the delivery's status and every attempt."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response
from sqlalchemy import select

from servicedesk.channels.auth import MessageReader, MessageSender
from servicedesk.channels.models import ChannelIdentity, Contact, Delivery, DeliveryAttempt
from servicedesk.channels.outbound.queue import enqueue
from servicedesk.channels.outbound.schemas import AttemptOut, DeliveryOut, MessageRequest
from servicedesk.channels.state import ChannelsStateDep
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import InvalidInput, NotFound, invalid_field, problems
from servicedesk.kernel.i18n import _t

router = APIRouter(prefix="/api/v1/messages", tags=["messages"])
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
KeyHeader = Annotated[str, Header(alias="Idempotency-Key", description="1–200 printable ASCII")]


async def _identity(session: WriteSession, request: MessageRequest) -> ChannelIdentity:
    query = (
        select(ChannelIdentity)
        .join(Contact, Contact.id == ChannelIdentity.contact_id)
        .where(ChannelIdentity.channel == request.channel, ChannelIdentity.reachable.is_(True))
        .order_by(ChannelIdentity.created_at.desc())
        .limit(1)
    )
    if request.user_id is not None:
        query, field = query.where(Contact.user_id == request.user_id), "user_id"
    else:
        query, field = query.where(Contact.id == request.contact_id), "contact_id"
    identity = await session.scalar(query)
    if identity is None:
        raise invalid_field(
            field, _t("has no reachable {channel} identity", channel=request.channel)
        )
    return identity


def _same_message(delivery: Delivery, request: MessageRequest) -> None:
    if (delivery.body, delivery.channel, delivery.markup) != (
        request.text,
        request.channel,
        request.markup(),
    ):
        raise invalid_field(
            "Idempotency-Key", _t("was used for another message"), location="header"
        )


async def _view(session: ReadSession | WriteSession, delivery: Delivery) -> DeliveryOut:
    attempts = await session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery.id)
        .order_by(DeliveryAttempt.id)
    )
    view = DeliveryOut.model_validate(delivery)
    view.log = [AttemptOut.model_validate(a) for a in attempts]
    return view


@router.post("", status_code=202, response_model=DeliveryOut, responses=problems(InvalidInput))
async def send_message(
    request: MessageRequest,
    caller: MessageSender,
    key: KeyHeader,
    session: WriteSessionDep,
    state: ChannelsStateDep,
    response: Response,
) -> DeliveryOut:
    """Queued at once (202); the same key again answers the same delivery (200)."""
    if not IDEMPOTENCY_KEY.match(key):
        raise invalid_field(
            "Idempotency-Key", _t("1 to 200 printable ASCII characters"), location="header"
        )
    existing = await session.scalar(
        select(Delivery).where(Delivery.caller == caller.username, Delivery.idempotency_key == key)
    )
    if existing is not None:
        _same_message(existing, request)
        response.status_code = 200
        return await _view(session, existing)
    identity = await _identity(session, request)
    delivery = await enqueue(
        session,
        identity,
        request.text,
        key=key,
        caller=caller.username,
        incident_id=request.incident_id,
        incident_key=request.incident_key,
        markup=request.markup(),
    )
    _same_message(delivery, request)  # another request with this key may have come first
    await session.flush()
    await session.refresh(delivery)
    state.sender.wake()
    return await _view(session, delivery)


@router.get("/{delivery_id}", response_model=DeliveryOut, responses=problems(NotFound))
async def read_message(
    delivery_id: uuid.UUID, _: MessageReader, session: ReadSessionDep
) -> DeliveryOut:
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(_t("no message {id}", id=str(delivery_id)))
    return await _view(session, delivery)
