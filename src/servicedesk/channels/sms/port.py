"""The SMS provider port: what the channels service asks of any SMS gateway.

An adapter sends a text to a phone, checks that a callback really comes from its provider,
reads inbound SMS and delivery statuses out of a callback, and says what answer the provider
expects back. Callbacks arrive as a `CallbackRequest`, a plain snapshot of the HTTP request,
so adapters stay free of any web framework.

Malformed input never raises out of `parse_inbound` / `parse_statuses`: each item that cannot be
used (missing fields, an unknown status code, a malformed phone…) is skipped and returned in
`Parsed.rejected` with the reason, beside the items that could be read. The caller logs and
counts them, and still acknowledges the callback (a provider would only send it again).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, NamedTuple, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

ProviderName = Literal["smsru", "twilio"]
SmsStatus = Literal["queued", "sent", "delivered", "failed", "expired", "undelivered"]
FINAL_STATUSES: frozenset[SmsStatus] = frozenset({"delivered", "failed", "expired", "undelivered"})
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """An HTTP request a provider made to us: the full URL as the provider called it (scheme,
    host, path and query, which signatures cover), the method, headers with lower-case names,
    the urlencoded form as ordered pairs, and the raw body."""

    url: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    form: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def of(
        cls,
        url: str,
        form: Sequence[tuple[str, str]] | Mapping[str, str] = (),
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> CallbackRequest:
        """Builds one from loose parts (header names are lower-cased)."""
        pairs = tuple(form.items()) if isinstance(form, Mapping) else tuple(form)
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        return cls(url=url, method=method.upper(), headers=lowered, form=pairs, body=body)

    def query(self) -> list[tuple[str, str]]:
        """The URL's query string as ordered pairs."""
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def first(self, name: str) -> str | None:
        """The first form value under `name`, if any."""
        return next((value for key, value in self.form if key == name), None)


class SentSms(NamedTuple):
    """What the provider said when it accepted a message."""

    provider: ProviderName
    provider_id: str
    status: SmsStatus
    raw_status: str  # the provider's own code or word
    parts: int | None = None  # when the provider tells


class InboundSms(NamedTuple):
    """An SMS a person sent to the desk."""

    provider: ProviderName
    provider_id: str
    from_phone: str  # E.164
    to: str  # the desk's number as the provider wrote it
    text: str
    received_at: datetime


class StatusReport(NamedTuple):
    """A delivery status of a message we sent."""

    provider: ProviderName
    provider_id: str
    status: SmsStatus
    raw_code: str  # SMS.ru "103", Twilio "delivered"
    at: datetime  # when we heard it (neither provider dates its callbacks)
    error_code: str | None = None  # Twilio's ErrorCode on failures


class Rejected(NamedTuple):
    """A callback item that could not be used, and why."""

    reason: str
    item: str


@dataclass(frozen=True, slots=True)
class Parsed(Generic[Item]):
    """What a callback held: the items that could be read, and the rejected ones.

    Iterating (and `len`) goes over the good items, so `for sms in provider.parse_inbound(r)`
    reads like a list.
    """

    items: tuple[Item, ...] = ()
    rejected: tuple[Rejected, ...] = ()

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class Acknowledgement(NamedTuple):
    """The answer a provider expects to a callback: status, content type, body."""

    status: int
    content_type: str
    body: str


class SmsSendFailed(Exception):
    """The provider did not take the message. `retryable`: the same request may succeed later
    (a timeout, a 5xx, a rate limit); otherwise it never will (bad credentials, bad number…).
    `code`: the provider's error code when it gave one."""

    def __init__(self, reason: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


class SmsProvider(Protocol):
    """One SMS gateway, as the channels service uses it."""

    name: ProviderName

    async def send(self, to: str, text: str, *, status_callback: str | None = None) -> SentSms:
        """Sends `text` to `to` (E.164); raises `SmsSendFailed`."""
        ...

    def verify(self, request: CallbackRequest) -> bool:
        """True only for a callback the provider really made (constant-time comparisons)."""
        ...

    def parse_inbound(self, request: CallbackRequest) -> Parsed[InboundSms]:
        """The inbound SMS a callback carries; never raises."""
        ...

    def parse_statuses(self, request: CallbackRequest) -> Parsed[StatusReport]:
        """The delivery statuses a callback carries; never raises."""
        ...

    def acknowledge(self) -> Acknowledgement:
        """What to answer so the provider counts the callback as delivered."""
        ...
