"""Comments on incidents: public ones the reporter sees, internal notes they never do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.access import InternalNotesForStaff, is_staff
from servicedesk.tickets.comments import repository
from servicedesk.tickets.comments.models import Comment
from servicedesk.tickets.comments.schemas import CommentCreate, CommentOut
from servicedesk.tickets.fields import Visibility
from servicedesk.tickets.incidents.events import INCIDENT_COMMENTED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.sla.clock import apply_action


async def comments_on(
    session: ReadSession, incident: Incident, principal: Principal
) -> list[CommentOut]:
    """The incident's comments, oldest first; a reporter's without the internal notes."""
    rows = await repository.comments_of(session, incident.id, is_staff(principal))
    return [CommentOut.model_validate(row) for row in rows]


async def add_comment(
    session: WriteSession, incident: Incident, data: CommentCreate, actor: Principal
) -> Comment:
    """An agent's first public comment is the incident's first response (the SLA's)."""
    staff = is_staff(actor)
    if data.visibility is Visibility.INTERNAL and not staff:
        raise InternalNotesForStaff(_t("only agents may write internal notes"))
    now = datetime.now(UTC)
    comment = Comment(
        id=uuid.uuid4(),
        incident_id=incident.id,
        visibility=data.visibility.value,
        body=data.body,
        author_id=actor.subject,
        author_username=actor.username,
        created_at=now,
    )
    repository.add(session, comment)
    if staff and not actor.is_service and data.visibility is Visibility.PUBLIC:
        apply_action(incident, "sla.respond", now)
    incident.updated_at = now
    await session.flush()
    await incident_event(
        session,
        INCIDENT_COMMENTED,
        incident,
        comment_id=str(comment.id),
        visibility=comment.visibility,
        author=actor.username,
        body=comment.body,
    )
    return comment
