"""What the problems API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, computed_field

from servicedesk.tickets.fields import PROBLEM_PREFIX, Input, Output, Reference, ticket_key


class ProblemLink(Input):
    incident: Reference = Field(description="the incident's id or key (INC-000123)")


class ProblemOut(Output):
    id: uuid.UUID
    number: int
    title: str
    description: str
    category: str
    priority: str
    status: str
    status_changed_at: datetime
    correlation_rule: str | None
    client_ref: str | None
    client_name: str | None
    order_ref: str | None
    assignee_id: str | None
    assignee_username: str | None
    resolution: str | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    incident_count: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        return ticket_key(PROBLEM_PREFIX, self.number)
