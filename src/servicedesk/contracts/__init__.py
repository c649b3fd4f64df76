"""The event contracts: one pydantic model per event type and version, and the envelope.

Importable by every service and the kernel; imports none of them (an import-linter contract).
See docs/events.md (generated from these models) and docs/asyncapi.yaml.
"""

from __future__ import annotations

from servicedesk.contracts.base import (
    ContractViolation,
    EventData,
    EventShape,
    EventSpec,
    Registry,
    cloud_type,
    split_type,
)
from servicedesk.contracts.clients import CLIENTS_CONTRACTS, ClientCreatedV1, ClientUpdatedV1
from servicedesk.contracts.envelope import CloudEvent, parse_message, source_of
from servicedesk.contracts.orders import ORDERS_CONTRACTS, OrderCreatedV1
from servicedesk.contracts.tickets import (
    TICKETS_CONTRACTS,
    IncidentCommentedV1,
    IncidentCreatedV1,
    IncidentSlaBreachedV1,
    IncidentStatusChangedV1,
    IncidentUpdatedV1,
    ProblemClosedV1,
    ProblemCreatedV1,
    ProblemUpdatedV1,
)

CONTRACTS = Registry((*TICKETS_CONTRACTS, *CLIENTS_CONTRACTS, *ORDERS_CONTRACTS))
"""Every contract of the platform, by CloudEvents type."""

__all__ = [
    "CONTRACTS",
    "ClientCreatedV1",
    "ClientUpdatedV1",
    "CloudEvent",
    "ContractViolation",
    "EventData",
    "EventShape",
    "EventSpec",
    "IncidentCommentedV1",
    "IncidentCreatedV1",
    "IncidentSlaBreachedV1",
    "IncidentStatusChangedV1",
    "IncidentUpdatedV1",
    "OrderCreatedV1",
    "ProblemClosedV1",
    "ProblemCreatedV1",
    "ProblemUpdatedV1",
    "Registry",
    "cloud_type",
    "parse_message",
    "source_of",
    "split_type",
]
