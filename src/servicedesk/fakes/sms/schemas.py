"""Bodies of the control API (`/control`): what a phone does, fault knobs, what tests read."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.fakes.sms.messages import CallbackKind, CallbackState, Direction, Provider


class InboundIn(BaseModel):
    """An SMS the phone `from` sends to the desk."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from", min_length=1, description="the phone, any written form")
    text: str = Field(min_length=1, max_length=1600)


class InboundOut(BaseModel):
    provider: Provider
    message_id: str = Field(description="the provider's id of the injected message")
    phone: str = Field(description="the sender in E.164")
    callback: CallbackState


class SegmentsIn(BaseModel):
    text: str = Field(max_length=10_000)


class SegmentsView(BaseModel):
    encoding: Literal["gsm7", "ucs2"]
    units: int
    parts: int
    per_part: int


class StatusChangeView(BaseModel):
    status: str
    at: datetime


class MessageView(BaseModel):
    """One SMS: `to_phone` the desk sent it, `from_phone` the phone did."""

    provider: Provider
    message_id: str
    direction: Direction
    phone: str
    desk: str
    text: str
    status: str = Field(description="the provider's own code or word (SMS.ru 103, Twilio sent)")
    status_label: str = Field(description="the status in words, for people")
    final: bool
    error_code: int | None
    segments: SegmentsView
    callback: CallbackState = Field(description="where the last callback about it stands")
    created_at: datetime
    updated_at: datetime
    history: list[StatusChangeView]


class Conversation(BaseModel):
    phone: str
    messages: list[MessageView]


class PhoneSummary(BaseModel):
    phone: str
    providers: list[Provider]
    message_count: int
    last_at: datetime


class PhonesView(BaseModel):
    phones: list[PhoneSummary]


class FaultsIn(BaseModel):
    """Fields left out keep their current value."""

    provider: Provider
    fail_next: int | None = Field(None, ge=0, description="refuse this many next sends")
    undeliverable: list[str] | None = Field(
        None, description="phones whose messages are never delivered (replaces the list)"
    )


class FaultsView(BaseModel):
    provider: Provider
    fail_next: int
    undeliverable: list[str]


class ReplayOut(BaseModel):
    provider: Provider
    message_id: str
    kind: CallbackKind
    url: str


class AttemptView(BaseModel):
    provider: Provider
    kind: CallbackKind
    message_id: str
    url: str
    attempt: int
    status_code: int | None
    answer: str | None
    error: str | None
    delivered: bool
    at: datetime
    duration_ms: float


class CallbacksView(BaseModel):
    attempts: list[AttemptView]
