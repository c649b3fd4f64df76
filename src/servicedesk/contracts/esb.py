"""The ESB contract with other systems (version 1): the commands they send into the desk and
the events the desk sends back to them, each a CloudEvent whose `data` is one model here.

Commands arrive on the exchange `servicedesk.esb.commands` with routing key
`<caller>.<command>`; events leave on `servicedesk.esb.events` with routing key
`<caller>.<event>`. A caller's own reference is the CloudEvents `subject` (or the extension
`callerref`) of its create command; every event about that incident carries it in `subject`
and `callerref`.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from servicedesk.contracts.base import EventData, EventShape, EventSpec, Registry

INCIDENT_KEY = r"^INC-\d{6,}$"
Level = Literal["high", "medium", "low"]


def _command(name: str, summary: str) -> EventSpec:
    return EventSpec(f"esb.{name}", 1, aggregate="incident", producer="caller", summary=summary)


def _event(name: str, summary: str, aggregate: str = "incident") -> EventSpec:
    return EventSpec(f"esb.{name}", 1, aggregate=aggregate, producer="channels", summary=summary)


class EsbReporter(EventShape):
    """Who reports, when not the calling system itself."""

    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)


class IncidentTarget(EventShape):
    """Names an incident: its key, or (absent) the caller's reference in the event's subject."""

    incident: str | None = Field(None, pattern=INCIDENT_KEY, description="INC-000123")


class CreateIncidentV1(EventData):
    contract = _command("create_incident", "open an incident (subject: the caller's reference)")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(None, max_length=64)
    impact: Level = "medium"
    urgency: Level = "medium"
    reporter: EsbReporter | None = None


class AddCommentV1(IncidentTarget, EventData):
    contract = _command("add_comment", "a public comment from the caller on the incident")
    body: str = Field(min_length=1, max_length=20_000)


class AttachReferenceV1(IncidentTarget, EventData):
    contract = _command(
        "attach_reference",
        "follow an incident under the caller's reference (`reference`): its events follow",
    )
    incident: str = Field(pattern=INCIDENT_KEY)
    reference: str = Field(min_length=1, max_length=255)


class GetStatusV1(IncidentTarget, EventData):
    contract = _command("get_status", "ask for the incident's status (answered incident.status)")


class IncidentView(EventShape):
    id: uuid.UUID
    key: str = Field(pattern=INCIDENT_KEY)
    title: str
    status: str


class EsbIncidentEvent(EventData):
    incident: IncidentView
    reference: str | None = Field(description="the caller's own reference, if it gave one")
    command_id: str | None = Field(None, description="the command this answers, if any")


class EsbIncidentCreatedV1(EsbIncidentEvent):
    contract = _event("incident.created", "the incident a create_incident command opened")


class EsbIncidentStatusV1(EsbIncidentEvent):
    contract = _event("incident.status", "the answer to get_status, attach_reference or a comment")


class EsbIncidentStatusChangedV1(EsbIncidentEvent):
    contract = _event("incident.status_changed", "a workflow transition (not resolved/closed)")
    from_status: str
    to_status: str


class EsbIncidentResolvedV1(EsbIncidentEvent):
    contract = _event("incident.resolved", "the incident is resolved")
    resolution: str | None


class EsbIncidentClosedV1(EsbIncidentEvent):
    contract = _event("incident.closed", "the incident is closed (also with its problem)")


class EsbIncidentCommentedV1(EsbIncidentEvent):
    contract = _event("incident.commented", "an agent's public comment")
    author: str
    body: str


class EsbProblemClosedV1(EsbIncidentEvent):
    contract = _event("problem.closed", "the problem of the incident is closed", "problem")
    problem_key: str
    problem_title: str


class EsbCommandRejectedV1(EventData):
    contract = _event("command.rejected", "a command that cannot be done; it is in the DLQ")
    command_id: str | None
    command_type: str | None
    reason: str = Field(description="malformed, too-large, unknown-type, contract, refused, …")
    detail: str


ESB_COMMANDS = Registry((CreateIncidentV1, AddCommentV1, AttachReferenceV1, GetStatusV1))
ESB_EVENTS = Registry(
    (
        EsbIncidentCreatedV1,
        EsbIncidentStatusV1,
        EsbIncidentStatusChangedV1,
        EsbIncidentResolvedV1,
        EsbIncidentClosedV1,
        EsbIncidentCommentedV1,
        EsbProblemClosedV1,
        EsbCommandRejectedV1,
    )
)
