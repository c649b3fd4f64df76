"""The rules of problems: opened automatically for incidents, read, and announced on change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import Conflict, NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.fields import INCIDENT_PREFIX, PROBLEM_PREFIX, key_number, ticket_key
from servicedesk.tickets.history.service import record_changes
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.problems import repository
from servicedesk.tickets.problems.correlation import find_problem
from servicedesk.tickets.problems.events import PROBLEM_CREATED, PROBLEM_UPDATED, problem_event
from servicedesk.tickets.problems.models import Problem
from servicedesk.tickets.problems.schemas import ProblemOut


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
        number=await repository.next_number(session),
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
    key = ticket_key(INCIDENT_PREFIX, incident.number)
    note = _t("opened automatically for incident {key}", key=key)
    await record_changes(
        session, "problem", problem.id, actor.username, [("status", None, problem.status)], note
    )
    await problem_event(session, PROBLEM_CREATED, problem, incident_id=str(incident.id))
    return problem, None


async def find(session: AnySession, reference: str) -> Problem | None:
    """By id or by key (PRB-000123)."""
    try:
        return await repository.by_id(session, uuid.UUID(reference))
    except ValueError:
        number = key_number(PROBLEM_PREFIX, reference)
        return None if number is None else await repository.by_number(session, number)


async def problem_at(session: AnySession, reference: str, *, lock: bool = False) -> Problem:
    problem = await find(session, reference)
    if problem is None:
        raise ProblemNotFound(_t("problem {reference} does not exist", reference=reference))
    if lock:
        await repository.lock(session, problem)
    return problem


def require_open(problem: Problem) -> None:
    if problem.closed_at is not None:
        key = key_of(problem)
        raise ProblemClosed(_t("problem {key} is closed; reopen it or pick another", key=key))


def out(problem: Problem, incident_count: int) -> ProblemOut:
    answer = ProblemOut.model_validate(problem)
    answer.incident_count = incident_count
    return answer


async def with_count(session: AnySession, problem: Problem) -> ProblemOut:
    """The problem as answered, with its number of incidents."""
    return out(problem, await repository.incident_count(session, problem.id))


async def page(
    session: ReadSession,
    status: tuple[str, ...],
    open_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Problem, int]]:
    """Newest first, each with its number of incidents."""
    return await repository.problem_page(session, status, open_only, after, limit)


async def problem_changed(session: WriteSession, problem: Problem, **details: Any) -> None:
    await problem_event(session, PROBLEM_UPDATED, problem, **details)
