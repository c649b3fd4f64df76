"""Moving a problem through its workflow; closing it closes its open incidents in the same
transaction, each with the problem's resolution."""

from __future__ import annotations

from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.history.service import Change, record_changes
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.incidents.events import INCIDENT_STATUS_CHANGED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.problems import service as problems
from servicedesk.tickets.problems.events import PROBLEM_CLOSED, problem_event
from servicedesk.tickets.problems.models import Problem
from servicedesk.tickets.sla.clock import apply_action
from servicedesk.tickets.workflow.definition import StateKind
from servicedesk.tickets.workflow.schemas import TransitionRequest
from servicedesk.tickets.workflow.service import checked


async def move_problem(
    session: WriteSession,
    desk: Desk,
    problem: Problem,
    request: TransitionRequest,
    actor: Principal,
) -> tuple[Problem, list[Incident]]:
    flow = desk.problem_flow
    transition = checked(flow, problem.status, request, actor, problem.assignee_id is not None)
    now = datetime.now(UTC)
    old_status = problem.status
    changes: list[Change] = [("status", old_status, transition.target)]
    if request.fields.get("resolution"):
        changes.append(("resolution", problem.resolution, request.fields["resolution"]))
        problem.resolution = request.fields["resolution"]
    if request.fields.get("comment"):
        # Problems have no comment thread: the history keeps what the transition was given.
        changes.append(("comment", None, request.fields["comment"]))
    problem.status, problem.status_changed_at = transition.target, now
    entered_closed = flow.state(transition.target).kind is StateKind.CLOSED
    problem.closed_at = now if entered_closed else None
    problem.version += 1
    problem.updated_at, problem.updated_by = now, actor.username
    note = request.fields.get("reason") or _t("transition {transition}", transition=transition.id)
    await record_changes(session, "problem", problem.id, actor.username, changes, note)
    closed: list[Incident] = []
    if "problem.close_incidents" in flow.actions_on(transition):
        closed = await close_incidents(session, desk, problem, actor, now)
    await session.flush()
    await problems.problem_changed(
        session, problem, transition=transition.id, from_status=old_status, to_status=problem.status
    )
    if entered_closed:
        await problem_event(
            session, PROBLEM_CLOSED, problem, closed_incidents=[str(i.id) for i in closed]
        )
    return problem, closed


async def close_incidents(
    session: WriteSession, desk: Desk, problem: Problem, actor: Principal, now: datetime
) -> list[Incident]:
    """Closes every open incident of the problem, in the caller's transaction."""
    flow = desk.incident_flow
    closed = flow.closed_state()
    open_states = [s.id for s in flow.states.values() if s.kind is not StateKind.CLOSED]
    found = await incidents.open_of_problem(session, problem.id, open_states)
    key = problems.key_of(problem)
    resolution = (problem.resolution or "").rstrip(": ")
    note = (
        _t("closed with problem {key}: {resolution}", key=key, resolution=resolution)
        if resolution
        else _t("closed with problem {key}", key=key)
    )
    before = {incident.id: incident.status for incident in found}
    for incident in found:
        changes: list[Change] = [
            ("status", incident.status, closed.id),
            ("resolution", incident.resolution, incident.resolution or problem.resolution),
        ]
        incident.status, incident.status_changed_at = closed.id, now
        incident.resolution = incident.resolution or problem.resolution
        for action in ("sla.stop", *closed.on_enter):
            apply_action(incident, action, now)
        incident.version += 1
        incident.updated_at, incident.updated_by = now, actor.username
        await record_changes(session, "incident", incident.id, actor.username, changes, note)
    await session.flush()
    for incident in found:
        await incident_event(
            session,
            INCIDENT_STATUS_CHANGED,
            incident,
            reason="problem_closed",
            from_status=before[incident.id],
            to_status=closed.id,
            problem_key=key,
            resolution=incident.resolution,
        )
    return found
