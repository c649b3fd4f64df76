"""What the notifications API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="increasing per service; the live stream's event id")
    kind: str
    title: str
    body: str
    link: str = Field(description="the console's path of the item")
    aggregate_type: str
    aggregate_id: uuid.UUID
    key: str
    actor: str | None
    priority: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int


class Unread(BaseModel):
    unread: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    status: str = Field(description="pending, held, sent, failed, skipped or digested")
    due_at: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    reason: str | None
    external_id: str | None = Field(description="the channels delivery id, or the Message-ID")


class Labelled(BaseModel):
    id: str
    label: str


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])


class PreferencesOut(BaseModel):
    events: list[Labelled]
    scopes: list[Labelled]
    channels: list[Labelled]
    matrix: dict[str, dict[str, list[str]]]
    locked: dict[str, list[str]] = Field(description="cells on for every scope, not to be unset")
    quiet_hours: QuietHours
    timezone: str
    daily_summary: bool
    email_off: list[str] = Field(description="kinds unsubscribed from by mail")
    role: str = Field(description="the realm role whose defaults apply")
    custom: bool = Field(description="false: the role's defaults")


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matrix: dict[str, dict[str, list[str]]] | None = None
    quiet_hours: QuietHours | None = None
    timezone: str | None = Field(None, max_length=64)
    daily_summary: bool | None = None
    email_off: list[str] | None = None


class WatcherOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    since: datetime


class WatchOut(BaseModel):
    watching: bool
    watchers: list[WatcherOut]
