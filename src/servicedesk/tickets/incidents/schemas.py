"""What the incidents API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, Field, computed_field, field_validator, model_validator

from servicedesk.kernel.i18n import _t
from servicedesk.kernel.validation import PhoneNumber
from servicedesk.tickets.fields import (
    INCIDENT_PREFIX,
    Category,
    ContactName,
    DirectoryId,
    Input,
    LongText,
    Output,
    Reference,
    Title,
    ticket_key,
)


class Level(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Channel(StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    ESB = "esb"
    SMS = "sms"
    EMAIL = "email"
    API = "api"


class ReporterContact(Input):
    """Someone outside the realm (a Telegram user, a caller), or a realm user by id."""

    user_id: DirectoryId | None = None
    name: ContactName | None = None
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    telegram_id: int | None = Field(default=None, gt=0, lt=2**53)

    @model_validator(mode="after")
    def _someone(self) -> ReporterContact:
        if not any((self.user_id, self.name, self.email, self.phone, self.telegram_id)):
            raise ValueError(
                _t("give the reporter's user_id, or a name, email, phone or telegram_id")
            )
        return self


class IncidentCreate(Input):
    title: Title
    description: LongText
    category: Category
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM
    channel: Channel = Channel.WEB
    reporter: ReporterContact | None = None
    client: Reference | None = Field(default=None, description="our client id or LC-<n>")
    order: Reference | None = Field(default=None, description="our order id or LO-<n>")
    assignee: DirectoryId | None = Field(default=None, description="Keycloak user id")
    group: DirectoryId | None = Field(default=None, description="Keycloak group id")


class IncidentPatch(Input):
    """Only the fields sent change; null clears client, order, assignee or group."""

    title: Title | None = None
    description: LongText | None = None
    category: Category | None = None
    impact: Level | None = None
    urgency: Level | None = None
    client: Reference | None = None
    order: Reference | None = None
    assignee: DirectoryId | None = None
    group: DirectoryId | None = None

    @field_validator("title", "description", "category", "impact", "urgency")
    @classmethod
    def _required_stay_set(cls, value: object) -> object:
        """Runs only for fields sent: an explicit null is refused, naming the field."""
        if value is None:
            raise ValueError(_t("cannot be cleared"))
        return value


class SlaView(Output):
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    paused: bool
    response_breached: bool
    resolution_breached: bool


class IncidentOut(Output):
    id: uuid.UUID
    number: int
    title: str
    description: str
    category: str
    impact: str
    urgency: str
    priority: str
    status: str
    status_changed_at: datetime
    channel: str
    reporter_id: str | None
    reporter_username: str | None
    reporter_name: str | None
    reporter_email: str | None
    reporter_phone: str | None
    reporter_telegram_id: int | None
    client_ref: str | None
    client_name: str | None
    client_source: str | None
    order_ref: str | None
    order_number: str | None
    assignee_id: str | None
    assignee_username: str | None
    group_id: str | None
    group_name: str | None
    problem_id: uuid.UUID | None
    resolution: str | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    sla_paused_at: datetime | None
    response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        return ticket_key(INCIDENT_PREFIX, self.number)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sla_breached(self) -> bool:
        return self.response_breached_at is not None or self.resolution_breached_at is not None
