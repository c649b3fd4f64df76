"""Moving an incident through its workflow: the transition checked, its fields applied (an
assignee, a resolution, a comment), the SLA actions run, the history and the event written."""

from __future__ import annotations

from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.comments.schemas import CommentCreate
from servicedesk.tickets.comments.service import add_comment
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.history.service import Change, record_changes
from servicedesk.tickets.incidents.events import INCIDENT_STATUS_CHANGED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.people import assignee_of
from servicedesk.tickets.sla.clock import SLA_ACTIONS, apply_action
from servicedesk.tickets.workflow.schemas import TransitionRequest
from servicedesk.tickets.workflow.service import checked

TAKER = "assign.taker"


async def move_incident(
    session: WriteSession,
    desk: Desk,
    incident: Incident,
    request: TransitionRequest,
    actor: Principal,
) -> Incident:
    flow = desk.incident_flow
    transition = checked(flow, incident.status, request, actor, incident.assignee_id is not None)
    now = datetime.now(UTC)
    old_status = incident.status
    changes: list[Change] = [("status", old_status, transition.target)]
    fields = request.fields
    if fields.get("assignee"):
        assigned_before = incident.assignee_username
        await assignee_of(desk, fields["assignee"], incident)
        changes.append(("assignee_username", assigned_before, incident.assignee_username))
    if (
        TAKER in flow.actions_on(transition)
        and incident.assignee_id is None
        and not fields.get("assignee")
    ):
        changes.append(("assignee_username", None, actor.username))
        incident.assignee_id, incident.assignee_username = actor.subject, actor.username
    if fields.get("resolution"):
        changes.append(("resolution", incident.resolution, fields["resolution"]))
        incident.resolution = fields["resolution"]
    incident.status, incident.status_changed_at = transition.target, now
    for action in flow.actions_on(transition):
        if action in SLA_ACTIONS:
            apply_action(incident, action, now)
    incident.version += 1
    incident.updated_at, incident.updated_by = now, actor.username
    note = fields.get("reason") or _t("transition {transition}", transition=transition.id)
    await record_changes(session, "incident", incident.id, actor.username, changes, note)
    if fields.get("comment"):
        # An ordinary public comment (its incident.commented event tells the reporter).
        await add_comment(session, incident, CommentCreate(body=fields["comment"]), actor)
    await session.flush()
    await incident_event(
        session,
        INCIDENT_STATUS_CHANGED,
        incident,
        transition=transition.id,
        from_status=old_status,
        to_status=transition.target,
        reason=fields.get("reason"),
        resolution=incident.resolution,
    )
    return incident
