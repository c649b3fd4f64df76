"""Commenting an incident, once per Idempotency-Key. A reporter's reply relayed by a service (a
channel) moves the incident as the workflow lets its reporter: out of waiting for them (resume),
or back from resolved or closed (reopen, the reply its reason); it waits or stays otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.comments import service as comments
from servicedesk.tickets.comments.models import Comment
from servicedesk.tickets.comments.schemas import CommentCreate
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.incidents import idempotency
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.people import REPORTER_ROLE, acting_reporter
from servicedesk.tickets.usecases.incident_moves import move_incident
from servicedesk.tickets.workflow.definition import StateKind, Transition, Workflow
from servicedesk.tickets.workflow.schemas import TransitionRequest

# What a reply can give a transition: its words, as the reason (shortened to a history note).
FILLED_BY_REPLY = frozenset({"reason"})
REASON_SIZE = 200


@dataclass(frozen=True, slots=True)
class Commented:
    comment: Comment
    replayed: bool


async def comment_incident(
    session: WriteSession,
    desk: Desk,
    incident: Incident,
    data: CommentCreate,
    actor: Principal,
    idempotency_key: str | None,
) -> Commented:
    """The comment (and the reply's move, if any); with a key seen before, the first comment."""
    request = {"incident_id": str(incident.id), **data.model_dump(mode="json")}
    request_hash = idempotency.request_hash(request)
    if idempotency_key is not None:
        reused = _t("Idempotency-Key: this key was used for a different request; use a new key")
        seen = await idempotency.served(
            session, actor.subject, idempotency_key, request_hash, reused
        )
        if seen is not None and seen.comment_id is not None:
            first = await comments.comment_by_id(session, seen.comment_id)
            if first is not None:
                return Commented(first, replayed=True)
    comment = await comments.add_comment(session, incident, data, actor)
    if data.from_reporter:
        await _move_on_reply(session, desk, incident, comment, actor)
    if idempotency_key is not None:
        idempotency.remember(
            session, actor.subject, idempotency_key, request_hash, incident.id, comment.id
        )
    return Commented(comment, replayed=False)


def reply_transition(flow: Workflow, status: str) -> Transition | None:
    """The transition a reporter's reply makes from `status`: when the incident is not open
    (waiting for them, resolved or closed), the first one the reporter may make into an open
    state asking for nothing a reply cannot give; None when the workflow offers none."""
    state = flow.states.get(status)
    if state is None or state.kind is StateKind.OPEN:
        return None
    for transition in flow.allowed(status, {REPORTER_ROLE}):
        opens = flow.state(transition.target).kind is StateKind.OPEN
        if opens and FILLED_BY_REPLY.issuperset(transition.requires):
            return transition
    return None


def shortened(text: str, size: int = REASON_SIZE) -> str:
    """The text on one line, cut to `size` characters (an ellipsis marks the cut)."""
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1].rstrip() + "…"


async def _move_on_reply(
    session: WriteSession, desk: Desk, incident: Incident, reply: Comment, relay: Principal
) -> None:
    transition = reply_transition(desk.incident_flow, incident.status)
    if transition is None:
        return
    fields = {"reason": shortened(reply.body)} if "reason" in transition.requires else {}
    request = TransitionRequest(transition=transition.id, fields=fields)
    await move_incident(session, desk, incident, request, acting_reporter(incident, relay))
