"""Tells each incident's threads what happened to it: public comments by agents and status
changes (taken, waiting for you, resolved, closed, reopened). Internal notes never leave, and
a reporter's own message is not echoed back. Each (event, thread) is one delivery."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.channels.models import ChannelIdentity, Contact, Conversation, processed_messages
from servicedesk.channels.outbound.queue import enqueue
from servicedesk.channels.texts import say, status_name
from servicedesk.contracts import IncidentCommentedV1, IncidentStatusChangedV1
from servicedesk.contracts.tickets import IncidentSnapshot
from servicedesk.kernel.consumer import ReceivedEvent, Subscription
from servicedesk.kernel.db import WriteSession

CLOSED = frozenset({"resolved", "closed"})


def _status_text(locale: str, event: IncidentStatusChangedV1) -> str:
    ref = event.key
    if event.to_status == "waiting_for_reporter":
        return say(locale, "event.waiting", ref=ref)
    if event.to_status == "resolved":
        return say(locale, "event.resolved", ref=ref, resolution=event.resolution or "")
    if event.to_status == "closed":
        return say(locale, "event.closed", ref=ref)
    if event.from_status in CLOSED:
        return say(locale, "event.reopened", ref=ref)
    if event.from_status == "new" and event.to_status == "in_progress":
        return say(locale, "event.taken", ref=ref, who=event.assignee_username or "-")
    return say(locale, "event.status", ref=ref, status=status_name(locale, event.to_status))


def _text(locale: str, event: IncidentSnapshot) -> str | None:
    if isinstance(event, IncidentCommentedV1):
        if event.visibility != "public" or getattr(event, "from_reporter", False):
            return None
        return say(locale, "event.comment", ref=event.key, author=event.author, body=event.body)
    if isinstance(event, IncidentStatusChangedV1):
        return _status_text(locale, event)
    return None


async def tell_threads(session: WriteSession, received: ReceivedEvent) -> None:
    event = received.data_as(IncidentSnapshot)
    rows = await session.execute(
        select(Conversation, ChannelIdentity, Contact)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.incident_id == event.id)
    )
    for conversation, identity, contact in rows.tuples():
        conversation.status, conversation.title = event.status, event.title[:200]
        text = _text(contact.locale, event)
        if text is None or not identity.reachable:
            continue
        await enqueue(
            session,
            identity,
            text,
            key=f"event:{received.id}:{identity.id}",
            incident_id=event.id,
            incident_key=event.key,
        )


THREADS = Subscription(
    queue="channels.incident-threads",
    bindings=(IncidentCommentedV1.contract.type, IncidentStatusChangedV1.contract.type),
    processed=processed_messages,
    handler=tell_threads,
)
