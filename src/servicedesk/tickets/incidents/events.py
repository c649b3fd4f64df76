"""What the tickets service tells others about incidents, through its outbox (docs/events.md)."""

from __future__ import annotations

from typing import Any

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import DomainEvent, record_event
from servicedesk.tickets.db import outbox
from servicedesk.tickets.fields import INCIDENT_PREFIX, ticket_key
from servicedesk.tickets.incidents.models import Incident

INCIDENT_CREATED = "incident.created"
INCIDENT_UPDATED = "incident.updated"
INCIDENT_STATUS_CHANGED = "incident.status_changed"
INCIDENT_COMMENTED = "incident.commented"
INCIDENT_SLA_BREACHED = "incident.sla_breached"


def incident_payload(incident: Incident) -> dict[str, Any]:
    return {
        "id": str(incident.id),
        "key": ticket_key(INCIDENT_PREFIX, incident.number),
        "title": incident.title,
        "status": incident.status,
        "priority": incident.priority,
        "category": incident.category,
        "channel": incident.channel,
        "reporter": {
            "id": incident.reporter_id,
            "username": incident.reporter_username,
            "name": incident.reporter_name,
            "email": incident.reporter_email,
            "phone": incident.reporter_phone,
            "telegram_id": incident.reporter_telegram_id,
        },
        "assignee_username": incident.assignee_username,
        "group_id": incident.group_id,
        "client_ref": incident.client_ref,
        "order_ref": incident.order_ref,
        "problem_id": str(incident.problem_id) if incident.problem_id else None,
        "version": incident.version,
    }


async def incident_event(
    session: WriteSession, event_type: str, incident: Incident, **details: Any
) -> None:
    payload = {**incident_payload(incident), **details}
    event = DomainEvent(event_type, "incident", str(incident.id), payload)
    await record_event(session, outbox, event)
