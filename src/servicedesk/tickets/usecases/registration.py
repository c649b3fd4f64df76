"""Registering an incident: checked and filled in by the incidents' rules, joined to the open
problem a correlation rule finds (else a new one), once per Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.history.service import record_changes
from servicedesk.tickets.incidents import idempotency
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.incidents.events import INCIDENT_CREATED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.schemas import IncidentCreate
from servicedesk.tickets.problems import service as problems


@dataclass(frozen=True, slots=True)
class Registered:
    incident: Incident
    replayed: bool


async def register(
    session: WriteSession,
    desk: Desk,
    data: IncidentCreate,
    actor: Principal,
    idempotency_key: str | None,
) -> Registered:
    """A new incident with its problem (found by correlation, else opened), once per key."""
    request_hash = idempotency.request_hash(data.model_dump(mode="json"))
    if idempotency_key is not None:
        reused = _t("Idempotency-Key: this key was used for a different incident; use a new key")
        seen = await idempotency.served(
            session, actor.subject, idempotency_key, request_hash, reused
        )
        replayed = await incidents.find_incident(session, str(seen.incident_id)) if seen else None
        if replayed is not None:
            return Registered(replayed, replayed=True)
    now = datetime.now(UTC)
    incident = await incidents.new_incident(session, desk, data, actor, now)
    problem, rule = await problems.problem_for(session, desk, incident, actor, now)
    incident.problem_id = problem.id
    session.add(incident)
    await session.flush()
    user = actor.username
    note = _t("registered via {channel}", channel=incident.channel)
    await record_changes(
        session, "incident", incident.id, user, [("status", None, incident.status)], note
    )
    link_note = _t("joined by rule {rule}", rule=rule) if rule else _t("its own new problem")
    await record_changes(
        session, "incident", incident.id, user, [("problem", None, problem.id)], link_note
    )
    if idempotency_key is not None:
        idempotency.remember(session, actor.subject, idempotency_key, request_hash, incident.id)
    await incident_event(session, INCIDENT_CREATED, incident, problem_key=problems.key_of(problem))
    return Registered(incident, replayed=False)
