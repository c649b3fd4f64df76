"""What the messages API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from servicedesk.kernel.i18n import _t

MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16_384)
]
MailSubject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\r\n]*$"),
]


class MessageRequest(BaseModel):
    """To a realm user (`user_id`) or a contact (`contact_id`), over one channel."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["telegram", "sms", "email"]
    user_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")] | None = None
    contact_id: uuid.UUID | None = None
    text: MessageText
    incident_id: uuid.UUID | None = None
    incident_key: Annotated[str, StringConstraints(pattern=r"^INC-\d{6,}$")] | None = None
    subject: MailSubject | None = Field(
        None, description="email only; default: the incident's mail thread, else its key"
    )

    @model_validator(mode="after")
    def _someone(self) -> MessageRequest:
        if (self.user_id is None) == (self.contact_id is None):
            raise ValueError(_t("give exactly one of user_id and contact_id"))
        return self

    @field_validator("subject")
    @classmethod
    def _subject_for_mail(cls, subject: str | None, info: ValidationInfo) -> str | None:
        if subject is not None and info.data.get("channel") != "email":  # a mail's field only
            raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")
        return subject

    def markup(self) -> dict[str, Any] | None:
        """What the channel's transport needs besides the text (a mail's subject)."""
        return {"subject": self.subject} if self.subject is not None else None


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    at: datetime
    outcome: str
    detail: str | None
    latency_ms: float | None


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    status: str = Field(description="queued, sent, delivered or failed")
    address: str
    parts: int
    attempts: int
    last_error: str | None
    incident_key: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    log: list[AttemptOut] = []
