"""Comments on incidents: public ones the reporter sees, internal notes they never do. A service
(a channel) may relay what the reporter wrote: the comment is then theirs, relayed `via` it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import invalid_field
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.access import InternalNotesForStaff, is_staff, require_relay
from servicedesk.tickets.comments import repository
from servicedesk.tickets.comments.models import Comment
from servicedesk.tickets.comments.schemas import CommentCreate, CommentOut
from servicedesk.tickets.fields import Visibility
from servicedesk.tickets.incidents.events import INCIDENT_COMMENTED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.people import reporter_label
from servicedesk.tickets.sla.clock import apply_action


async def comments_on(
    session: ReadSession, incident: Incident, principal: Principal
) -> list[CommentOut]:
    """The incident's comments, oldest first; a reporter's without the internal notes."""
    rows = await repository.comments_of(session, incident.id, is_staff(principal))
    return [CommentOut.model_validate(row) for row in rows]


async def comment_by_id(session: WriteSession, comment_id: uuid.UUID) -> Comment | None:
    return await repository.by_id(session, comment_id)


def _check(data: CommentCreate, actor: Principal) -> None:
    if data.from_reporter:
        require_relay(actor, "from_reporter")
        if data.visibility is not Visibility.PUBLIC:
            raise invalid_field("visibility", _t("a comment of the reporter is public"))
    elif data.visibility is Visibility.INTERNAL and not is_staff(actor):
        raise InternalNotesForStaff(_t("only agents may write internal notes"))


async def add_comment(
    session: WriteSession, incident: Incident, data: CommentCreate, actor: Principal
) -> Comment:
    """An agent's first public comment is the incident's first response (the SLA's); neither a
    service's comment nor a reporter's reply it relays (`from_reporter`) is one."""
    _check(data, actor)
    now = datetime.now(UTC)
    relayed = data.from_reporter
    comment = Comment(
        id=uuid.uuid4(),
        incident_id=incident.id,
        visibility=data.visibility.value,
        body=data.body,
        author_id=incident.reporter_id if relayed else actor.subject,
        author_username=reporter_label(incident) if relayed else actor.username,
        from_reporter=relayed or actor.subject == incident.reporter_id,
        via=actor.username if relayed else None,
        created_at=now,
    )
    repository.add(session, comment)
    by_agent = is_staff(actor) and not actor.is_service and not relayed
    if by_agent and data.visibility is Visibility.PUBLIC:
        apply_action(incident, "sla.respond", now)
    incident.updated_at = now
    await session.flush()
    await incident_event(
        session,
        INCIDENT_COMMENTED,
        incident,
        comment_id=str(comment.id),
        visibility=comment.visibility,
        author=comment.author_username,
        body=comment.body,
        from_reporter=comment.from_reporter,
    )
    return comment
