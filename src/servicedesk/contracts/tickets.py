"""The tickets service's events: incidents and problems (version 1).

Every incident event carries the incident as it is after the change (`IncidentSnapshot`), and
fields of its own; every problem event the problem (`ProblemSnapshot`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from servicedesk.contracts.base import EventData, EventShape, EventSpec

INCIDENT_KEY = r"^INC-\d{6,}$"
PROBLEM_KEY = r"^PRB-\d{6,}$"


def _incident(name: str, summary: str) -> EventSpec:
    return EventSpec(name, 1, aggregate="incident", producer="tickets", summary=summary)


def _problem(name: str, summary: str) -> EventSpec:
    return EventSpec(name, 1, aggregate="problem", producer="tickets", summary=summary)


class Reporter(EventShape):
    """Who reported the incident: a user of the realm, or an outside person by channel."""

    id: str | None = Field(description="user id in the realm, if a user")
    username: str | None
    name: str | None
    email: str | None
    phone: str | None
    telegram_id: int | None


class IncidentSnapshot(EventData):
    """The incident after the change."""

    id: uuid.UUID
    key: str = Field(pattern=INCIDENT_KEY, description="INC-000123")
    title: str
    status: str = Field(description="a state of the incident's workflow")
    priority: str
    category: str
    channel: str = Field(description="web, telegram, esb, sms, email, api")
    reporter: Reporter
    assignee_username: str | None
    group_id: str | None
    client_ref: str | None
    order_ref: str | None
    problem_id: uuid.UUID | None
    version: int = Field(ge=1)


class IncidentCreatedV1(IncidentSnapshot):
    contract = _incident("incident.created", "an incident is registered (any channel)")
    problem_key: str | None = Field(None, pattern=PROBLEM_KEY)


class IncidentUpdatedV1(IncidentSnapshot):
    contract = _incident(
        "incident.updated", "fields edited, or linked to / unlinked from a problem"
    )
    changed: list[str] = Field(description="names of the fields that changed")


class IncidentStatusChangedV1(IncidentSnapshot):
    contract = _incident("incident.status_changed", "a workflow transition, or its problem closed")
    transition: str | None = Field(None, description="absent when closed with its problem")
    from_status: str
    to_status: str
    reason: str | None = Field(None, description="`problem_closed` when closed with its problem")
    resolution: str | None = None
    problem_key: str | None = Field(None, pattern=PROBLEM_KEY)


class IncidentCommentedV1(IncidentSnapshot):
    contract = _incident(
        "incident.commented",
        "a comment or internal note is added (tell reporters only `public` ones)",
    )
    comment_id: uuid.UUID
    visibility: Literal["public", "internal"]
    author: str
    body: str
    from_reporter: bool = Field(
        False,
        description="written by the incident's reporter (in the console, or relayed by a channel"
        " on their behalf); a channel need not echo it back to them",
    )


SlaTargetName = Literal["response", "resolution"]
_DUE = "when the {} is due on the SLA clock, if `targets` names it (else null)"


class IncidentSlaWarningV1(IncidentSnapshot):
    contract = _incident(
        "incident.sla_warning",
        "a due time is near: 80% of the target's working time used (the policy's"
        " `sla_warning_at`; once per target, never for one met or breached)",
    )
    targets: list[SlaTargetName]
    response_due_at: datetime | None = Field(description=_DUE.format("response"))
    resolution_due_at: datetime | None = Field(description=_DUE.format("resolution"))


class IncidentSlaBreachedV1(IncidentSnapshot):
    contract = _incident(
        "incident.sla_breached", "a due time passed with the clock running (once per target)"
    )
    targets: list[SlaTargetName]
    response_due_at: datetime | None = Field(None, description=_DUE.format("response"))
    resolution_due_at: datetime | None = Field(None, description=_DUE.format("resolution"))


class ProblemSnapshot(EventData):
    """The problem after the change."""

    id: uuid.UUID
    key: str = Field(pattern=PROBLEM_KEY, description="PRB-000123")
    title: str
    status: str
    priority: str
    category: str
    correlation_rule: str | None
    version: int = Field(ge=1)


class ProblemCreatedV1(ProblemSnapshot):
    contract = _problem("problem.created", "opened automatically for a new incident")
    incident_id: uuid.UUID


class ProblemUpdatedV1(ProblemSnapshot):
    contract = _problem("problem.updated", "a workflow transition")
    transition: str
    from_status: str
    to_status: str


class ProblemClosedV1(ProblemSnapshot):
    contract = _problem("problem.closed", "it reached its closed state")
    closed_incidents: list[uuid.UUID] = Field(description="the incidents closed with it")


TICKETS_CONTRACTS: tuple[type[EventData], ...] = (
    IncidentCreatedV1,
    IncidentUpdatedV1,
    IncidentStatusChangedV1,
    IncidentCommentedV1,
    IncidentSlaWarningV1,
    IncidentSlaBreachedV1,
    ProblemCreatedV1,
    ProblemUpdatedV1,
    ProblemClosedV1,
)
