"""What the tickets API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
    model_validator,
)

from servicedesk.kernel.validation import DisplayName, PhoneNumber

INCIDENT_PREFIX, PROBLEM_PREFIX = "INC", "PRB"
# A single line, for query parameters: no control characters at all.
ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
_CONTROLS = frozenset(chr(c) for c in [*range(0x20), 0x7F])
_LINE_BREAKS = frozenset("\t\n\r")


def _storable(value: str, allowed: frozenset[str]) -> str:
    """PostgreSQL stores neither NUL nor lone surrogates (JSON may carry "\\ud800"); other
    control characters are refused too, but for the `allowed` ones."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("must be valid Unicode text (no lone surrogates)")
    if not (_CONTROLS - allowed).isdisjoint(value):
        kept = " other than tab and line breaks" if allowed else ""
        raise ValueError(f"must not contain control characters{kept}")
    return value


def _one_line(value: str) -> str:
    return _storable(value, frozenset())


def _multiline(value: str) -> str:
    return _storable(value, _LINE_BREAKS)


OneLine = AfterValidator(_one_line)
Multiline = AfterValidator(_multiline)
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), Multiline
]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), OneLine
]
DirectoryId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
]
Category = Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine]
ContactName = Annotated[DisplayName, OneLine]


def ticket_key(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


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


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReporterContact(_Input):
    """Someone outside the realm (a Telegram user, a caller), or a realm user by id."""

    user_id: DirectoryId | None = None
    name: ContactName | None = None
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    telegram_id: int | None = Field(default=None, gt=0, lt=2**53)

    @model_validator(mode="after")
    def _someone(self) -> ReporterContact:
        if not any((self.user_id, self.name, self.email, self.phone, self.telegram_id)):
            raise ValueError("give the reporter's user_id, or a name, email, phone or telegram_id")
        return self


class IncidentCreate(_Input):
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


class IncidentPatch(_Input):
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
            raise ValueError("cannot be cleared")
        return value


class TransitionRequest(_Input):
    transition: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    fields: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")],
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), Multiline],
    ] = Field(default_factory=dict, max_length=8)


class CommentCreate(_Input):
    body: LongText
    visibility: Visibility = Visibility.PUBLIC


class ProblemLink(_Input):
    incident: Reference = Field(description="the incident's id or key (INC-000123)")


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SlaView(_Output):
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    paused: bool
    response_breached: bool
    resolution_breached: bool


class IncidentOut(_Output):
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


class ProblemOut(_Output):
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


class CommentOut(_Output):
    id: uuid.UUID
    incident_id: uuid.UUID
    visibility: str
    body: str
    author_id: str | None
    author_username: str
    created_at: datetime


class AttachmentOut(_Output):
    id: uuid.UUID
    incident_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    visibility: str
    uploaded_by: str
    created_at: datetime


class HistoryOut(_Output):
    id: int
    at: datetime
    actor: str
    field: str
    old_value: str | None
    new_value: str | None
    note: str | None


class TransitionOut(BaseModel):
    id: str
    label: dict[str, str]
    target: str
    requires: list[str]
