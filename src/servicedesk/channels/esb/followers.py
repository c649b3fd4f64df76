"""Tells the calling systems that follow an incident what happened to it: status changes
(resolved and closed by their own names), agents' public comments, its problem closed. Each
event goes to `<caller>.<event>` with the caller's reference; its id is made from the tickets
event and the caller, so a redelivered tickets event sends the same event again (at least once,
callers deduplicate by id)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aio_pika.abc import AbstractExchange
from sqlalchemy import select

from servicedesk.channels.esb.metrics import ESB_EVENTS
from servicedesk.channels.esb.models import EsbFollower
from servicedesk.channels.esb.wire import deterministic_id, out_message, routing_key
from servicedesk.channels.models import processed_messages
from servicedesk.contracts import (
    EventData,
    IncidentCommentedV1,
    IncidentStatusChangedV1,
    ProblemClosedV1,
)
from servicedesk.contracts.esb import (
    EsbIncidentClosedV1,
    EsbIncidentCommentedV1,
    EsbIncidentResolvedV1,
    EsbIncidentStatusChangedV1,
    EsbProblemClosedV1,
    IncidentView,
)
from servicedesk.contracts.tickets import IncidentSnapshot
from servicedesk.kernel.consumer import ReceivedEvent, Subscription
from servicedesk.kernel.db import WriteSession

TICKETS_EVENTS = (
    IncidentStatusChangedV1.contract.type,
    IncidentCommentedV1.contract.type,
    ProblemClosedV1.contract.type,
)
PUBLISH_TIMEOUT_S = 10


def _incident_event(event: IncidentSnapshot, follower: EsbFollower) -> EventData | None:
    common = {
        "incident": IncidentView(
            id=event.id, key=event.key, title=event.title, status=event.status
        ),
        "reference": follower.reference,
    }
    if isinstance(event, IncidentStatusChangedV1):
        if event.to_status == "resolved":
            return EsbIncidentResolvedV1(**common, resolution=event.resolution)
        if event.to_status == "closed":
            return EsbIncidentClosedV1(**common)
        return EsbIncidentStatusChangedV1(
            **common, from_status=event.from_status, to_status=event.to_status
        )
    if isinstance(event, IncidentCommentedV1):
        if event.visibility != "public" or event.from_reporter:
            return None
        return EsbIncidentCommentedV1(**common, author=event.author, body=event.body)
    return None


def _problem_event(event: ProblemClosedV1, follower: EsbFollower) -> EventData:
    return EsbProblemClosedV1(
        incident=IncidentView(
            id=follower.incident_id,
            key=follower.incident_key,
            title="",
            status=follower.status,
        ),
        reference=follower.reference,
        problem_key=event.key,
        problem_title=event.title,
    )


def tell_followers(
    events: AbstractExchange,
) -> Callable[[WriteSession, ReceivedEvent], Awaitable[None]]:
    async def handle(session: WriteSession, received: ReceivedEvent) -> None:
        payload = received.payload
        if isinstance(payload, ProblemClosedV1):
            incidents = list(payload.closed_incidents)
        elif isinstance(payload, IncidentSnapshot):
            incidents = [payload.id]
        else:
            return
        followers = await session.scalars(
            select(EsbFollower).where(EsbFollower.incident_id.in_(incidents))
        )
        for follower in followers:
            if isinstance(payload, IncidentSnapshot):
                follower.status, follower.updated_at = payload.status, datetime.now(UTC)
                data = _incident_event(payload, follower)
            else:
                assert isinstance(payload, ProblemClosedV1)
                data = _problem_event(payload, follower)
            if data is None:
                continue
            await events.publish(
                out_message(
                    data,
                    reference=follower.reference,
                    event_id=deterministic_id(
                        received.id, follower.caller, str(follower.incident_id)
                    ),
                ),
                routing_key=routing_key(follower.caller, data),
                timeout=PUBLISH_TIMEOUT_S,
            )
            ESB_EVENTS.labels(follower.caller, data.contract.type).inc()

    return handle


def followers_subscription(queue: str, events: AbstractExchange) -> Subscription:
    return Subscription(
        queue=queue,
        bindings=TICKETS_EVENTS,
        processed=processed_messages,
        handler=tell_followers(events),
    )
