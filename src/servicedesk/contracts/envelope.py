"""The envelope of every event: CloudEvents 1.0 attributes, JSON structured content mode.

On the wire (AMQP 0-9-1) the body is the whole event as JSON (`application/cloudevents+json`);
the message's `message_id` is the event's `id`, its `type` property the event's `type`, and the
routing key the event's `type`. Binary content mode (`ce-` headers, the body is `data`) is
accepted on input too.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicedesk.contracts.base import ContractViolation

SPECVERSION: Literal["1.0"] = "1.0"
STRUCTURED = "application/cloudevents+json"
JSON = "application/json"
BINARY_PREFIX = "ce-"


def source_of(service: str) -> str:
    """The CloudEvents `source` of a service's events: `/servicedesk/<service>`."""
    return f"/servicedesk/{service}"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event. `requestid`, `aggregatetype` and `actor` are our extension
    attributes: the request that caused the event, the kind of aggregate `subject` names, and
    who made the change."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = SPECVERSION
    id: str = Field(min_length=1, description="unique per source; the outbox row's id")
    source: str = Field(min_length=1, description="/servicedesk/<service>")
    type: str = Field(min_length=1, description="servicedesk.<event>.v<version>")
    subject: str | None = Field(None, description="the id of the aggregate the event is about")
    time: datetime | None = Field(None, description="when it happened (RFC 3339)")
    datacontenttype: str | None = JSON
    dataschema: str | None = None
    data: Any = None
    requestid: str | None = Field(None, description="the request that caused the event")
    aggregatetype: str | None = Field(None, description="incident, problem, client, order")
    actor: str | None = Field(
        None, description="the username whose request made the change; absent for the system"
    )

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def parse_structured(body: bytes) -> CloudEvent:
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractViolation("malformed", f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContractViolation("malformed", "the event is not a JSON object")
    return _envelope(raw)


def parse_binary(headers: dict[str, Any], body: bytes, content_type: str | None) -> CloudEvent:
    attributes = {
        key[len(BINARY_PREFIX) :]: _text(value)
        for key, value in headers.items()
        if key.startswith(BINARY_PREFIX)
    }
    try:
        data = json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractViolation("malformed", f"data is not JSON: {exc}") from exc
    return _envelope({**attributes, "datacontenttype": content_type or JSON, "data": data})


def parse_message(body: bytes, content_type: str | None, headers: dict[str, Any]) -> CloudEvent:
    """The event in an AMQP message, in either content mode."""
    if f"{BINARY_PREFIX}specversion" in headers and not (content_type or "").startswith(STRUCTURED):
        return parse_binary(headers, body, content_type)
    return parse_structured(body)


def _envelope(raw: dict[str, Any]) -> CloudEvent:
    if raw.get("specversion") != SPECVERSION:
        raise ContractViolation("malformed", f"specversion {raw.get('specversion')!r} is not 1.0")
    try:
        return CloudEvent.model_validate(raw)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise ContractViolation("malformed", f"invalid envelope attributes: {fields}") from exc


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value
