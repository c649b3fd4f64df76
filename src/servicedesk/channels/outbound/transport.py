"""What a channel's sender must do, and how it says a send did not work."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from servicedesk.channels.models import ChannelIdentity, Delivery


@dataclass(frozen=True, slots=True)
class Sent:
    provider: str
    message_ids: list[str] = field(default_factory=list)
    parts: int = 1


class RetryLater(Exception):
    """The provider asked us to slow down (Telegram's 429 with retry_after). `done`: the parts
    of a long message sent before it did; the next attempt sends only the rest."""

    def __init__(self, after_s: float, reason: str, done: Sent | None = None) -> None:
        super().__init__(reason)
        self.after_s, self.reason, self.done = after_s, reason, done


class Unreachable(Exception):
    """The person cannot be reached this way (blocked the bot, an invalid number)."""


class SendFailed(Exception):
    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason, self.retryable = reason, retryable


class Transport(Protocol):
    channel: str

    def rate_key(self, delivery: Delivery) -> str | None:
        """The chat the provider's per-chat limit applies to; None: no limit here."""
        ...

    async def send(self, delivery: Delivery, identity: ChannelIdentity | None) -> Sent: ...
