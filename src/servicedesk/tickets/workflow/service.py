"""Moving tickets through their workflow: checks, fields, actions, history and events."""

from __future__ import annotations

from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from servicedesk.tickets import problems
from servicedesk.tickets.access import STAFF_ROLES, is_staff
from servicedesk.tickets.assignment import assignee_of
from servicedesk.tickets.comments import add_comment
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.events import (
    INCIDENT_STATUS_CHANGED,
    PROBLEM_CLOSED,
    incident_event,
    problem_event,
)
from servicedesk.tickets.history import Change, record_changes
from servicedesk.tickets.models import Incident, Problem
from servicedesk.tickets.schemas import CommentCreate, TransitionOut, TransitionRequest
from servicedesk.tickets.sla import SLA_ACTIONS, apply_action
from servicedesk.tickets.workflow import (
    KNOWN_FIELDS,
    MissingFields,
    StateKind,
    Transition,
    TransitionError,
    TransitionForbidden,
    TransitionNotFromHere,
    UnknownTransition,
    Workflow,
)


class UnknownTransitionProblem(NotFound):
    code = "unknown-transition"


class TransitionNotAllowedHere(Conflict):
    code = "transition-not-allowed"


class TransitionRoleMissing(Forbidden):
    code = "transition-forbidden"


class TransitionFieldsMissing(InvalidInput):
    code = "transition-fields-missing"


class AssigneeForStaff(Forbidden):
    code = "assignee-for-staff"


# Field values end up in text columns: PostgreSQL cannot store NUL, and none belong in text.
_CONTROLS = frozenset(chr(c) for c in [*range(0x20), 0x7F]) - set("\t\n\r")


def available(flow: Workflow, status: str, roles: frozenset[str]) -> list[TransitionOut]:
    """The transitions these roles may make from the status, with the fields each asks for."""
    return [
        TransitionOut(
            id=t.id,
            label={"en": t.label.en, "ru": t.label.ru},
            target=t.target,
            requires=list(t.requires),
        )
        for t in flow.allowed(status, roles)
    ]


def _as_problem(error: TransitionError) -> Exception:
    extra: dict[str, object] = {"transition": error.transition_id}
    if isinstance(error, UnknownTransition):
        return UnknownTransitionProblem(error.reason, extra={**extra, "known": error.known})
    if isinstance(error, TransitionNotFromHere):
        # Not "status": that member of a problem document is the HTTP status (RFC 9457).
        extra |= {"current_status": error.status, "allowed_from": error.allowed_from}
        return TransitionNotAllowedHere(error.reason, extra=extra)
    if isinstance(error, TransitionForbidden):
        return TransitionRoleMissing(
            error.reason, extra={**extra, "required_roles": error.allowed_roles}
        )
    if isinstance(error, MissingFields):
        errors = [
            {"field": f"fields.{name}", "location": "body", "reason": "required by this transition"}
            for name in error.missing
        ]
        return TransitionFieldsMissing(error.reason, extra={**extra, "errors": errors})
    return TransitionNotAllowedHere(error.reason, extra=extra)


def _invalid_fields(names: list[str], reason: str) -> InvalidInput:
    errors = [{"field": f"fields.{n}", "location": "body", "reason": reason} for n in names]
    return InvalidInput(f"transition fields {', '.join(names)}: {reason}", extra={"errors": errors})


def checked(
    flow: Workflow, status: str, request: TransitionRequest, actor: Principal, has_assignee: bool
) -> Transition:
    fields: dict[str, str | None] = dict(request.fields)
    if has_assignee:
        fields.setdefault("assignee", "already assigned")
    unknown = sorted(set(request.fields) - _fields_known(flow))
    if unknown:
        raise _invalid_fields(unknown, "unknown field")
    garbled = sorted(n for n, v in request.fields.items() if not _CONTROLS.isdisjoint(v))
    if garbled:
        raise _invalid_fields(garbled, "control characters other than tab and line breaks")
    try:
        transition = flow.check(request.transition, status, actor.roles, fields)
    except TransitionError as error:
        raise _as_problem(error) from None
    if request.fields.get("assignee") and not is_staff(actor):
        raise AssigneeForStaff(
            "only agents may assign an incident",
            extra={"transition": transition.id, "required_roles": list(STAFF_ROLES)},
        )
    return transition


def _fields_known(flow: Workflow) -> set[str]:
    return set(KNOWN_FIELDS[flow.ticket_type])


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
    if fields.get("resolution"):
        changes.append(("resolution", incident.resolution, fields["resolution"]))
        incident.resolution = fields["resolution"]
    incident.status, incident.status_changed_at = transition.target, now
    for action in flow.actions_on(transition):
        if action in SLA_ACTIONS:
            apply_action(incident, action, now)
    incident.version += 1
    incident.updated_at, incident.updated_by = now, actor.username
    note = fields.get("reason") or f"transition {transition.id}"
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
    note = request.fields.get("reason") or f"transition {transition.id}"
    await record_changes(session, "problem", problem.id, actor.username, changes, note)
    closed: list[Incident] = []
    if "problem.close_incidents" in flow.actions_on(transition):
        closed = await problems.close_incidents(session, desk, problem, actor, now)
    await session.flush()
    await problems.problem_changed(
        session, problem, transition=transition.id, from_status=old_status, to_status=problem.status
    )
    if entered_closed:
        await problem_event(
            session, PROBLEM_CLOSED, problem, closed_incidents=[str(i.id) for i in closed]
        )
    return problem, closed
