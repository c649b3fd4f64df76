"""Comments on incidents: public ones the reporter sees, internal notes they never do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Forbidden
from servicedesk.tickets.access import is_staff
from servicedesk.tickets.events import INCIDENT_COMMENTED, incident_event
from servicedesk.tickets.models import Comment, Incident
from servicedesk.tickets.schemas import CommentCreate, Visibility
from servicedesk.tickets.sla import apply_action


class InternalNotesForStaff(Forbidden):
    code = "internal-notes-for-staff"


async def add_comment(
    session: WriteSession, incident: Incident, data: CommentCreate, actor: Principal
) -> Comment:
    """An agent's first public comment is the incident's first response (the SLA's)."""
    staff = is_staff(actor)
    if data.visibility is Visibility.INTERNAL and not staff:
        raise InternalNotesForStaff("only agents may write internal notes")
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
    session.add(comment)
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
