"""What the tickets service tells others about incidents, through its outbox (docs/events.md)."""

from __future__ import annotations

from typing import Any

from servicedesk.contracts.tickets import (
    IncidentCommentedV1,
    IncidentCreatedV1,
    IncidentSlaBreachedV1,
    IncidentSlaWarningV1,
    IncidentSnapshot,
    IncidentStatusChangedV1,
    IncidentUpdatedV1,
)
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import record_event
from servicedesk.tickets.db import outbox
from servicedesk.tickets.fields import INCIDENT_PREFIX, ticket_key
from servicedesk.tickets.incidents.models import Incident

INCIDENT_CREATED = IncidentCreatedV1
INCIDENT_UPDATED = IncidentUpdatedV1
INCIDENT_STATUS_CHANGED = IncidentStatusChangedV1
INCIDENT_COMMENTED = IncidentCommentedV1
INCIDENT_SLA_WARNING = IncidentSlaWarningV1
INCIDENT_SLA_BREACHED = IncidentSlaBreachedV1


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
    session: WriteSession, contract: type[IncidentSnapshot], incident: Incident, **details: Any
) -> None:
    """Records the event `contract` about the incident as it is now, with the event's own
    fields in `details`; a payload that breaks its contract fails here, in the transaction."""
    data = contract.model_validate({**incident_payload(incident), **details})
    await record_event(session, outbox, data, subject=str(incident.id))
