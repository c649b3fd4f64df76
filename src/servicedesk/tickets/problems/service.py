"""The rules of problems: opened automatically for incidents, linked by hand, and closing their
incidents when they close."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, NotFound
from servicedesk.tickets.correlation import find_problem
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.events import (
    INCIDENT_STATUS_CHANGED,
    INCIDENT_UPDATED,
    PROBLEM_CREATED,
    PROBLEM_UPDATED,
    incident_event,
    problem_event,
)
from servicedesk.tickets.history import Change, record_changes
from servicedesk.tickets.models import Incident, Problem
from servicedesk.tickets.schemas import PROBLEM_PREFIX, ticket_key
from servicedesk.tickets.sla import apply_action
from servicedesk.tickets.workflow import StateKind


class ProblemNotFound(NotFound):
    code = "problem-not-found"


class ProblemClosed(Conflict):
    code = "problem-closed"


def key_of(problem: Problem) -> str:
    return ticket_key(PROBLEM_PREFIX, problem.number)


async def problem_for(
    session: WriteSession, desk: Desk, incident: Incident, actor: Principal, now: datetime
) -> tuple[Problem, str | None]:
    """The open problem a correlation rule finds for the new incident, else a new one."""
    match = await find_problem(session, desk.policy, incident, now)
    if match is not None:
        return match.problem, match.rule
    problem = Problem(
        id=uuid.uuid4(),
        number=await session.scalar(select(func.nextval("tickets.problem_numbers"))),
        title=incident.title,
        description=incident.description,
        category=incident.category,
        priority=incident.priority,
        priority_rank=incident.priority_rank,
        status=desk.problem_flow.initial,
        status_changed_at=now,
        correlation_rule=None,
        client_ref=incident.client_ref,
        client_name=incident.client_name,
        order_ref=incident.order_ref,
        version=1,
        created_at=now,
        updated_at=now,
        created_by=actor.username,
        updated_by=actor.username,
    )
    session.add(problem)
    await session.flush()
    note = f"opened automatically for incident {ticket_key('INC', incident.number)}"
    await record_changes(
        session, "problem", problem.id, actor.username, [("status", None, problem.status)], note
    )
    await problem_event(session, PROBLEM_CREATED, problem, incident_id=str(incident.id))
    return problem, None


async def find(session: Any, reference: str) -> Problem | None:
    """By id or by key (PRB-000123)."""
    found: Problem | None
    try:
        found = await session.get(Problem, uuid.UUID(reference))
    except ValueError:
        number = _KEY.fullmatch(reference)
        if number is None:
            return None
        found = await session.scalar(select(Problem).where(Problem.number == int(number.group(1))))
    return found


# PRB-000123 (or the bare number): ASCII digits only, and few enough to fit a bigint.
_KEY = re.compile(rf"(?:{PROBLEM_PREFIX}-)?0*([0-9]{{1,18}})", re.IGNORECASE | re.ASCII)


async def problem_at(session: Any, reference: str, *, lock: bool = False) -> Problem:
    problem = await find(session, reference)
    if problem is None:
        raise ProblemNotFound(f"problem {reference} does not exist")
    if lock:
        await session.refresh(problem, with_for_update=True)
    return problem


async def link(
    session: WriteSession, problem: Problem, incident: Incident, actor: Principal
) -> None:
    if problem.closed_at is not None:
        raise ProblemClosed(f"problem {key_of(problem)} is closed; reopen it or pick another")
    if incident.problem_id == problem.id:
        return
    old = incident.problem_id
    incident.problem_id = problem.id
    await _touched(session, incident, actor, [("problem", old, problem.id)], "linked by hand")


async def unlink(
    session: WriteSession, problem: Problem, incident: Incident, actor: Principal
) -> None:
    if incident.problem_id != problem.id:
        raise NotFound(f"incident is not linked to problem {key_of(problem)}")
    incident.problem_id = None
    await _touched(session, incident, actor, [("problem", problem.id, None)], "unlinked by hand")


async def _touched(
    session: WriteSession,
    incident: Incident,
    actor: Principal,
    changes: list[tuple[str, object, object]],
    note: str,
) -> None:
    incident.version += 1
    incident.updated_at = datetime.now(UTC)
    incident.updated_by = actor.username
    await record_changes(session, "incident", incident.id, actor.username, changes, note)
    await session.flush()
    await incident_event(session, INCIDENT_UPDATED, incident, changed=["problem"])


async def close_incidents(
    session: WriteSession, desk: Desk, problem: Problem, actor: Principal, now: datetime
) -> list[Incident]:
    """Closes every open incident of the problem, in the caller's transaction."""
    flow = desk.incident_flow
    closed = flow.closed_state()
    open_states = [s.id for s in flow.states.values() if s.kind is not StateKind.CLOSED]
    incidents = (
        await session.scalars(
            select(Incident)
            .where(Incident.problem_id == problem.id, Incident.status.in_(open_states))
            .order_by(Incident.number)
            .with_for_update()
        )
    ).all()
    note = f"closed with problem {key_of(problem)}: {problem.resolution or ''}".rstrip(": ")
    before = {incident.id: incident.status for incident in incidents}
    for incident in incidents:
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
    for incident in incidents:
        await incident_event(
            session,
            INCIDENT_STATUS_CHANGED,
            incident,
            reason="problem_closed",
            from_status=before[incident.id],
            to_status=closed.id,
            problem_key=key_of(problem),
            resolution=incident.resolution,
        )
    return list(incidents)


async def problem_changed(session: WriteSession, problem: Problem, **details: Any) -> None:
    await problem_event(session, PROBLEM_UPDATED, problem, **details)
