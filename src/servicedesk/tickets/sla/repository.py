"""The incidents whose SLA targets passed unmet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select

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


async def overdue(session: WriteSession, now: datetime, limit: int) -> list[Incident]:
    """Running clocks past a due time not yet flagged, locked; rows another transaction holds
    are skipped, not waited for (replicas share the work)."""
    rows = await session.scalars(
        select(Incident)
        .where(_overdue(now))
        .order_by(Incident.resolution_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows.all())
