"""What the SMS fake remembers: messages both ways, callbacks, attempts and fault knobs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from servicedesk.fakes.sms.numbers import Parts

Provider = Literal["smsru", "twilio"]
PROVIDERS: tuple[Provider, ...] = ("smsru", "twilio")
# to_phone: the desk sent it (through the provider's API); from_phone: the phone sent it.
Direction = Literal["to_phone", "from_phone"]
CallbackKind = Literal["status", "inbound"]
# Where the message's last callback stands.
CallbackState = Literal["none", "no url", "pending", "retrying", "delivered", "given up"]


@dataclass(frozen=True, slots=True)
class Callback:
    """One callback as the provider makes it: kept whole, so a replay is the same request."""

    provider: Provider
    kind: CallbackKind
    message_id: str
    url: str
    form: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    """One POST of a callback and how the receiver answered it."""

    provider: Provider
    kind: CallbackKind
    message_id: str
    url: str
    attempt: int
    status_code: int | None
    answer: str | None  # the first 200 characters of the receiver's body
    error: str | None
    delivered: bool
    at: float
    duration_ms: float


@dataclass(eq=False, slots=True)
class StatusChange:
    status: str
    at: float


@dataclass(eq=False, slots=True)
class FakeMessage:
    """An SMS between a phone and the desk, in one provider's words (`status` is its code or
    word: SMS.ru "103", Twilio "delivered"; inbound ones are "received")."""

    provider: Provider
    message_id: str
    direction: Direction
    phone: str  # the person's phone, E.164
    desk: str  # the desk's number or sender name as the provider shows it
    text: str
    segments: Parts
    status: str
    status_callback: str | None = None
    error_code: int | None = None
    callback_state: CallbackState = "none"
    last_callback: Callback | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    history: list[StatusChange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.history.append(StatusChange(self.status, self.created_at))

    def move_to(self, status: str, error_code: int | None = None) -> None:
        self.status, self.error_code, self.updated_at = status, error_code, time.time()
        self.history.append(StatusChange(status, self.updated_at))


@dataclass(slots=True)
class Faults:
    """Knobs per provider: fail the next `fail_next` sends; never deliver to these phones."""

    fail_next: int = 0
    undeliverable: set[str] = field(default_factory=set)
