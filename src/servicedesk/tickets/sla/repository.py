"""The incidents whose SLA targets are near or passed unmet."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.incidents.models import Incident


def _overdue(now: datetime) -> ColumnElement[bool]:
    running = Incident.sla_paused_at.is_(None)
    response = and_(
        Incident.responded_at.is_(None),
        Incident.response_breached_at.is_(None),
        Incident.response_due_at < now,
    )
    resolution = and_(
        Incident.resolved_at.is_(None),
        Incident.resolution_breached_at.is_(None),
        Incident.resolution_due_at < now,
    )
    return and_(running, or_(response, resolution))


def _near(now: datetime) -> ColumnElement[bool]:
    """Past the warn-at time, not warned, and not yet overdue (an overdue target just breaches,
    warned or not)."""
    running = Incident.sla_paused_at.is_(None)
    response = and_(
        Incident.responded_at.is_(None),
        Incident.response_warned_at.is_(None),
        Incident.response_breached_at.is_(None),
        Incident.response_warn_at < now,
        Incident.response_due_at >= now,
    )
    resolution = and_(
        Incident.resolved_at.is_(None),
        Incident.resolution_warned_at.is_(None),
        Incident.resolution_breached_at.is_(None),
        Incident.resolution_warn_at < now,
        Incident.resolution_due_at >= now,
    )
    return and_(running, or_(response, resolution))


async def _locked(
    session: WriteSession, where: ColumnElement[bool], order: ColumnElement[Any], limit: int
) -> list[Incident]:
    """The rows, locked; rows another transaction holds are skipped, not waited for (replicas
    share the work)."""
    rows = await session.scalars(
        select(Incident).where(where).order_by(order).limit(limit).with_for_update(skip_locked=True)
    )
    return list(rows.all())


async def overdue(session: WriteSession, now: datetime, limit: int) -> list[Incident]:
    """Running clocks past a due time not yet flagged, locked."""
    return await _locked(session, _overdue(now), Incident.resolution_due_at.expression, limit)


async def near_due(session: WriteSession, now: datetime, limit: int) -> list[Incident]:
    """Running clocks past a warn-at time not yet warned, not yet overdue, locked; the
    earliest first (a backlog, as after a start, is worked off in order)."""
    earliest = func.least(Incident.response_warn_at, Incident.resolution_warn_at)
    return await _locked(session, _near(now), earliest, limit)


async def arm_unarmed(
    session: WriteSession, priority: str, response_rest: timedelta, resolution_rest: timedelta
) -> int:
    """Sets the missing warn-at times of the priority's open targets (incidents from before
    warnings) to their due time less the rest of the target; how many targets it set."""
    response = await session.execute(
        update(Incident)
        .where(
            Incident.priority == priority,
            Incident.responded_at.is_(None),
            Incident.response_warned_at.is_(None),
            Incident.response_breached_at.is_(None),
            Incident.response_warn_at.is_(None),
            Incident.response_due_at.is_not(None),
        )
        .values(response_warn_at=Incident.response_due_at - response_rest)
        .returning(Incident.id)
        .execution_options(synchronize_session=False)
    )
    resolution = await session.execute(
        update(Incident)
        .where(
            Incident.priority == priority,
            Incident.resolved_at.is_(None),
            Incident.resolution_warned_at.is_(None),
            Incident.resolution_breached_at.is_(None),
            Incident.resolution_warn_at.is_(None),
            Incident.resolution_due_at.is_not(None),
        )
        .values(resolution_warn_at=Incident.resolution_due_at - resolution_rest)
        .returning(Incident.id)
        .execution_options(synchronize_session=False)
    )
    return len(response.all()) + len(resolution.all())
