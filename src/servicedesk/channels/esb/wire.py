"""CloudEvents on AMQP 0-9-1 as the ESB speaks them: binary content mode (`ce-` headers, the
body is `data`, as the `cloudevents` SDK's RabbitMQ binding writes it) out, either mode in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from servicedesk.contracts import CloudEvent, ContractViolation, EventData, parse_message
from servicedesk.contracts.envelope import BINARY_PREFIX, JSON
from servicedesk.contracts.esb import ESB_COMMANDS

SOURCE = "/servicedesk/channels/esb"
REFERENCE_EXTENSION = "callerref"


@dataclass(frozen=True, slots=True)
class Command:
    """A valid command from a known caller."""

    caller: str
    event: CloudEvent
    data: EventData

    @property
    def reference(self) -> str | None:
        extra = self.event.model_extra or {}
        found = extra.get(REFERENCE_EXTENSION) or self.event.subject
        return str(found)[:255] if found else None


def caller_of(message: AbstractIncomingMessage, callers: tuple[str, ...]) -> str | None:
    """The calling system: the first word of the routing key (its RabbitMQ user may publish
    only under it); None when it is not a caller we know."""
    first = (message.routing_key or "").split(".", 1)[0]
    return first if first in callers else None


def command_of(message: AbstractIncomingMessage, caller: str, max_bytes: int) -> Command:
    """Raises ContractViolation with a short reason when the message is not a valid command."""
    if message.body_size > max_bytes or len(message.body) > max_bytes:
        raise ContractViolation("too-large", f"{len(message.body)} bytes; at most {max_bytes}")
    headers = dict(message.headers or {})
    spec = _text(headers.get(f"{BINARY_PREFIX}specversion"))
    if spec is not None and spec != "1.0":
        raise ContractViolation("malformed", f"specversion {spec!r} is not 1.0")
    event = parse_message(message.body, message.content_type, headers)
    model = ESB_COMMANDS.get(event.type)
    if model is None:
        raise ContractViolation("unknown-type", f"no command {event.type!r}")
    try:
        data = model.model_validate(event.data)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(data)'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise ContractViolation("contract", fields) from exc
    return Command(caller, event, data)


def event_id_of(message: AbstractIncomingMessage) -> str | None:
    """The command's id if it can be read at all (for the error event)."""
    headers = message.headers or {}
    found = _text(headers.get(f"{BINARY_PREFIX}id")) or message.message_id
    return str(found)[:255] if found else None


def out_message(
    data: EventData,
    *,
    reference: str | None,
    event_id: str | None = None,
    correlation_id: str | None = None,
) -> aio_pika.Message:
    """An event to a caller in binary content mode; a fixed `event_id` makes a re-sent event
    the same event (callers deduplicate by source and id)."""
    ce_id = event_id or str(uuid.uuid4())
    headers: dict[str, Any] = {
        "ce-specversion": "1.0",
        "ce-id": ce_id,
        "ce-source": SOURCE,
        "ce-type": data.contract.type,
        "ce-time": datetime.now(UTC).isoformat(),
    }
    if reference:
        headers["ce-subject"] = reference
        headers[f"ce-{REFERENCE_EXTENSION}"] = reference
    return aio_pika.Message(
        data.model_dump_json().encode(),
        headers=headers,
        content_type=JSON,
        message_id=ce_id,
        type=data.contract.type,
        correlation_id=correlation_id,
        timestamp=datetime.now(UTC),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def routing_key(caller: str, data: EventData) -> str:
    """`monitoring` + esb.incident.created → `monitoring.incident.created`."""
    return f"{caller}.{data.contract.name.removeprefix('esb.')}"


def deterministic_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "esb:" + ":".join(parts)))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
