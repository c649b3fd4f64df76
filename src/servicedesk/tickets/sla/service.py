"""The SLA clock of an incident: due times from the policy, paused while waiting, and breaches.

Workflow actions drive the clock: sla.respond, sla.pause, sla.resume, sla.stop, sla.restart. A
pause moves the pending due times later by its length when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.events import INCIDENT_SLA_BREACHED, incident_event
from servicedesk.tickets.history import record_changes
from servicedesk.tickets.models import Incident
from servicedesk.tickets.policy import TicketPolicy

SLA_ACTIONS = ("sla.respond", "sla.pause", "sla.resume", "sla.stop", "sla.restart")
SYSTEM_ACTOR = "system"


def start_clock(incident: Incident, policy: TicketPolicy, now: datetime) -> None:
    target = policy.sla[incident.priority]
    incident.response_due_at = now + target.response
    incident.resolution_due_at = now + target.resolution


def retarget(incident: Incident, policy: TicketPolicy, old_priority: str) -> None:
    """A new priority swaps the targets but keeps the time already spent and paused."""
    old, new = policy.sla[old_priority], policy.sla[incident.priority]
    if incident.responded_at is None and incident.response_due_at is not None:
        incident.response_due_at += new.response - old.response
    if incident.resolved_at is None and incident.resolution_due_at is not None:
        incident.resolution_due_at += new.resolution - old.resolution


def _shift_pending(incident: Incident, by: timedelta) -> None:
    if incident.responded_at is None and incident.response_due_at is not None:
        incident.response_due_at += by
    if incident.resolved_at is None and incident.resolution_due_at is not None:
        incident.resolution_due_at += by


def _resume(incident: Incident, now: datetime) -> None:
    if incident.sla_paused_at is not None:
        _shift_pending(incident, now - incident.sla_paused_at)
        incident.sla_paused_at = None


def apply_action(incident: Incident, action: str, now: datetime) -> None:
    if action == "sla.respond":
        incident.responded_at = incident.responded_at or now
    elif action == "sla.pause":
        incident.sla_paused_at = incident.sla_paused_at or now
    elif action == "sla.resume":
        _resume(incident, now)
    elif action == "sla.stop":
        _resume(incident, now)
        incident.responded_at = incident.responded_at or now
        incident.resolved_at = incident.resolved_at or now
    elif action == "sla.restart":
        _resume(incident, now)
        if incident.resolved_at is not None and incident.resolution_due_at is not None:
            incident.resolution_due_at += now - incident.resolved_at
        incident.resolved_at = None
    else:
        raise ValueError(f"unknown SLA action {action!r}")


def _due(
    met: datetime | None, breached: datetime | None, due: datetime | None, now: datetime
) -> bool:
    return met is None and breached is None and due is not None and due < now


@dataclass(frozen=True, slots=True)
class Breach:
    incident: Incident
    targets: tuple[str, ...]


def _overdue(now: datetime) -> object:
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


async def flag_breaches(session: WriteSession, now: datetime, limit: int = 200) -> list[Breach]:
    """Marks overdue incidents breached, once each, and announces it. Replicas share the work:
    rows another transaction holds are skipped, not waited for."""
    overdue = await session.scalars(
        select(Incident)
        .where(_overdue(now))  # type: ignore[arg-type]
        .order_by(Incident.resolution_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    breaches = []
    for incident in overdue:
        targets = []
        if _due(
            incident.responded_at, incident.response_breached_at, incident.response_due_at, now
        ):
            incident.response_breached_at = now
            targets.append("response")
        if _due(
            incident.resolved_at, incident.resolution_breached_at, incident.resolution_due_at, now
        ):
            incident.resolution_breached_at = now
            targets.append("resolution")
        changes = [(f"sla_{t}_breached", None, now) for t in targets]
        await record_changes(session, "incident", incident.id, SYSTEM_ACTOR, changes)
        await incident_event(session, INCIDENT_SLA_BREACHED, incident, targets=targets)
        breaches.append(Breach(incident, tuple(targets)))
    return breaches
