"""Queries of problems: the newest-first list with incident counts, lookups and locks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, tuple_

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.problems.models import Problem


async def problem_page(
    session: ReadSession,
    status: tuple[str, ...],
    open_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Problem, int]]:
    count = (
        select(func.count())
        .where(Incident.problem_id == Problem.id)
        .correlate(Problem)
        .scalar_subquery()
    )
    query = select(Problem, count)
    if status:
        query = query.where(Problem.status.in_(status))
    if open_only:
        query = query.where(Problem.closed_at.is_(None))
    if after is not None:
        query = query.where(tuple_(Problem.created_at, Problem.id) < tuple_(*after))
    query = query.order_by(Problem.created_at.desc(), Problem.id.desc()).limit(limit)
    return [(problem, n) for problem, n in (await session.execute(query)).all()]


async def incident_count(session: AnySession, problem_id: uuid.UUID) -> int:
    total = await session.scalar(select(func.count()).where(Incident.problem_id == problem_id))
    return int(total or 0)


async def by_id(session: AnySession, problem_id: uuid.UUID) -> Problem | None:
    return await session.get(Problem, problem_id)


async def by_number(session: AnySession, number: int) -> Problem | None:
    found: Problem | None = await session.scalar(select(Problem).where(Problem.number == number))
    return found


async def lock(session: AnySession, problem: Problem) -> None:
    """Re-reads the problem, locked for update until the transaction ends."""
    await session.refresh(problem, with_for_update=True)


async def next_number(session: WriteSession) -> int:
    return int(await session.scalar(select(func.nextval("tickets.problem_numbers"))) or 0)
