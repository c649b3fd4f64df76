"""SLA warnings and breaches: incidents flagged once per target, recorded and announced.

A target warns once the policy's share of its working time is used (its warn-at time) and
breaches once its due time passes, each at most once. A target met first does neither; one
found overdue unwarned (the watch was down in between) just breaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.history.service import record_changes
from servicedesk.tickets.incidents.events import (
    INCIDENT_SLA_BREACHED,
    INCIDENT_SLA_WARNING,
    incident_event,
)
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.policy import TicketPolicy
from servicedesk.tickets.sla import repository

SYSTEM_ACTOR = "system"
Target = Literal["response", "resolution"]


def _due(
    met: datetime | None, breached: datetime | None, due: datetime | None, now: datetime
) -> bool:
    return met is None and breached is None and due is not None and due < now


def _near(
    met: datetime | None,
    warned: datetime | None,
    breached: datetime | None,
    warn: datetime | None,
    due: datetime | None,
    now: datetime,
) -> bool:
    near = warn is not None and warn < now and due is not None and due >= now
    return near and met is None and warned is None and breached is None


@dataclass(frozen=True, slots=True)
class Breach:
    incident: Incident
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class SlaWarning:
    incident: Incident
    targets: tuple[Target, ...]


def _due_times(incident: Incident, targets: list[Target]) -> dict[str, datetime | None]:
    """The events' due times: those of the targets they name."""
    return {
        "response_due_at": incident.response_due_at if "response" in targets else None,
        "resolution_due_at": incident.resolution_due_at if "resolution" in targets else None,
    }


async def _announce(
    session: WriteSession,
    incident: Incident,
    targets: list[Target],
    now: datetime,
    what: Literal["warned", "breached"],
) -> None:
    """A history entry per target (`sla_response_warned`…) and the event, in the transaction."""
    changes = [(f"sla_{t}_{what}", None, now) for t in targets]
    await record_changes(session, "incident", incident.id, SYSTEM_ACTOR, changes)
    contract = INCIDENT_SLA_WARNING if what == "warned" else INCIDENT_SLA_BREACHED
    await incident_event(
        session, contract, incident, targets=targets, **_due_times(incident, targets)
    )


async def flag_warnings(session: WriteSession, now: datetime, limit: int = 200) -> list[SlaWarning]:
    """Marks incidents whose due times are near warned, once per target, and announces it.
    Replicas share the work: rows another transaction holds are skipped, not waited for."""
    warnings = []
    for incident in await repository.near_due(session, now, limit):
        targets: list[Target] = []
        if _near(
            incident.responded_at,
            incident.response_warned_at,
            incident.response_breached_at,
            incident.response_warn_at,
            incident.response_due_at,
            now,
        ):
            incident.response_warned_at = now
            targets.append("response")
        if _near(
            incident.resolved_at,
            incident.resolution_warned_at,
            incident.resolution_breached_at,
            incident.resolution_warn_at,
            incident.resolution_due_at,
            now,
        ):
            incident.resolution_warned_at = now
            targets.append("resolution")
        await _announce(session, incident, targets, now, "warned")
        warnings.append(SlaWarning(incident, tuple(targets)))
    return warnings


async def flag_breaches(session: WriteSession, now: datetime, limit: int = 200) -> list[Breach]:
    """Marks overdue incidents breached, once each, and announces it. Replicas share the work:
    rows another transaction holds are skipped, not waited for."""
    breaches = []
    for incident in await repository.overdue(session, now, limit):
        targets: list[Target] = []
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
        await _announce(session, incident, targets, now, "breached")
        breaches.append(Breach(incident, tuple(targets)))
    return breaches


async def arm_unarmed_targets(session: WriteSession, policy: TicketPolicy) -> int:
    """Gives the open targets of incidents from before warnings their warn-at times: the due
    time less the rest of the priority's target after the warning (the due time already holds
    the pauses and the changes of priority). How many targets it armed."""
    armed = 0
    for priority, target in policy.sla.items():
        armed += await repository.arm_unarmed(
            session,
            priority,
            target.response - policy.warning_after(target.response),
            target.resolution - policy.warning_after(target.resolution),
        )
    return armed
