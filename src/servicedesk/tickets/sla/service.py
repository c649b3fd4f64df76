"""SLA breaches: overdue incidents flagged once each, recorded and announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.history.service import record_changes
from servicedesk.tickets.incidents.events import INCIDENT_SLA_BREACHED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.sla import repository

SYSTEM_ACTOR = "system"


def _due(
    met: datetime | None, breached: datetime | None, due: datetime | None, now: datetime
) -> bool:
    return met is None and breached is None and due is not None and due < now


@dataclass(frozen=True, slots=True)
class Breach:
    incident: Incident
    targets: tuple[str, ...]


async def flag_breaches(session: WriteSession, now: datetime, limit: int = 200) -> list[Breach]:
    """Marks overdue incidents breached, once each, and announces it. Replicas share the work:
    rows another transaction holds are skipped, not waited for."""
    overdue = await repository.overdue(session, now, limit)
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
