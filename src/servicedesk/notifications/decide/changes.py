"""What happened, as the notifications see it: the item (incident or problem) after the change,
who made it, the kind of news it is, and what the messages will say about it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from servicedesk.contracts.tickets import (
    IncidentCommentedV1,
    IncidentCreatedV1,
    IncidentSlaBreachedV1,
    IncidentSlaWarningV1,
    IncidentSnapshot,
    IncidentStatusChangedV1,
    IncidentUpdatedV1,
    ProblemClosedV1,
    ProblemCreatedV1,
    ProblemSnapshot,
)
from servicedesk.kernel.consumer import ReceivedEvent
from servicedesk.notifications.catalogue import Kind

MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,99})")
EXCERPT = 300
ASSIGNMENT_FIELDS = frozenset({"assignee_username", "assignee", "group_id", "group"})


@dataclass(frozen=True, slots=True)
class Item:
    """An incident or a problem as the event shows it."""

    aggregate_type: str
    id: uuid.UUID
    key: str
    title: str
    status: str
    priority: str
    assignee: str | None = None
    group_id: str | None = None
    reporter_id: str | None = None
    reporter_username: str | None = None
    version: int = 0

    @property
    def link(self) -> str:
        return f"/{self.aggregate_type}s/{self.key}"


@dataclass(frozen=True, slots=True)
class Change:
    event_id: uuid.UUID
    occurred_at: datetime
    actor: str | None
    item: Item
    kind: Kind
    assigned_to: str | None = None  # the new assignee, when the assignee changed
    to_group: bool = False  # handed to a group, nobody assigned yet
    mentions: frozenset[str] = frozenset()
    internal: bool = False  # an internal note: never to reporters
    sla_breach: bool = False
    params: dict[str, Any] = field(default_factory=dict)


def mentions_in(body: str) -> frozenset[str]:
    return frozenset(m.group(1).rstrip(".") for m in MENTION.finditer(body))


def _incident(data: IncidentSnapshot) -> Item:
    return Item(
        "incident",
        data.id,
        data.key,
        data.title,
        data.status,
        data.priority,
        data.assignee_username,
        data.group_id,
        data.reporter.id,
        data.reporter.username,
        data.version,
    )


def _problem(data: ProblemSnapshot) -> Item:
    return Item(
        "problem", data.id, data.key, data.title, data.status, data.priority, version=data.version
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def change_of(event: ReceivedEvent) -> Change | None:
    """The change an event stands for; None for events nobody is told about."""
    data = event.payload
    occurred = event.envelope.time if event.envelope and event.envelope.time else None
    base: dict[str, Any] = {
        "event_id": uuid.UUID(event.id)
        if _is_uuid(event.id)
        else uuid.uuid5(uuid.NAMESPACE_URL, event.id),
        "occurred_at": occurred or datetime.now(UTC),
        "actor": event.actor,
    }
    if isinstance(data, IncidentSnapshot):
        return _incident_change(data, base)
    if isinstance(data, ProblemCreatedV1):
        return Change(**base, item=_problem(data), kind=Kind.PROBLEM_CREATED)
    if isinstance(data, ProblemClosedV1):
        params = {"closed_incidents": len(data.closed_incidents)}
        return Change(**base, item=_problem(data), kind=Kind.PROBLEM_CLOSED, params=params)
    return None


def _incident_change(data: IncidentSnapshot, base: dict[str, Any]) -> Change | None:
    item = _incident(data)
    params: dict[str, Any]
    if isinstance(data, IncidentCreatedV1):
        return Change(
            **base,
            item=item,
            kind=Kind.INCIDENT_CREATED,
            assigned_to=item.assignee,
            to_group=item.assignee is None and item.group_id is not None,
        )
    if isinstance(data, IncidentUpdatedV1):
        changed = set(data.changed)
        params = {"changed": sorted(changed)}
        if changed & ASSIGNMENT_FIELDS:
            return Change(
                **base,
                item=item,
                kind=Kind.INCIDENT_UPDATED,
                params=params,
                assigned_to=item.assignee
                if "assignee_username" in changed or "assignee" in changed
                else None,
                to_group=item.assignee is None and item.group_id is not None,
            )
        return Change(**base, item=item, kind=Kind.INCIDENT_UPDATED, params=params)
    if isinstance(data, IncidentStatusChangedV1):
        params = {
            "from_status": data.from_status,
            "to_status": data.to_status,
            "resolution": data.resolution or "",
            "reason": data.reason or "",
        }
        return Change(**base, item=item, kind=Kind.INCIDENT_STATUS_CHANGED, params=params)
    if isinstance(data, IncidentCommentedV1):
        params = {
            "author": data.author,
            "excerpt": _excerpt(data.body),
            "visibility": data.visibility,
        }
        return Change(
            **base,
            item=item,
            kind=Kind.INCIDENT_COMMENTED,
            params=params,
            mentions=mentions_in(data.body),
            internal=data.visibility != "public",
        )
    if isinstance(data, IncidentSlaWarningV1):
        params = {
            "targets": list(data.targets),
            "due_at": _due(data.response_due_at, data.resolution_due_at),
        }
        return Change(**base, item=item, kind=Kind.SLA_WARNING, params=params)
    if isinstance(data, IncidentSlaBreachedV1):
        params = {"targets": list(data.targets)}
        return Change(**base, item=item, kind=Kind.SLA_BREACHED, params=params, sla_breach=True)
    return None


def _due(*times: datetime | None) -> str:
    known = [t for t in times if t is not None]
    return min(known).isoformat() if known else ""


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
