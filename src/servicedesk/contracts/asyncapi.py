"""The AsyncAPI 3.0 document of the events, and docs/events.md, generated from the contracts.

`servicedesk-ops events docs` writes both; tests/contracts/test_asyncapi.py fails when the
checked-in files differ from what this module generates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from servicedesk.contracts.base import EventData
from servicedesk.contracts.envelope import STRUCTURED, CloudEvent

EXCHANGE = "servicedesk.events"
LOG = "servicedesk.events.log"
VHOST = "servicedesk"
SCHEMAS = "#/components/schemas/"
AMQP_BINDING = "0.3.0"
RETENTION = "90 days or 20 GB, whichever ends first"


def _id(model: type[EventData]) -> str:
    """`IncidentCreatedV1` → `incidentCreatedV1` (the channel, message and operation ids)."""
    return model.__name__[0].lower() + model.__name__[1:]


def _snapshots(contracts: list[type[EventData]]) -> list[type[BaseModel]]:
    """The records several events carry (the incident, the problem, the client), documented
    once; an event's own fields are those it adds to its record."""
    bases = {m.__base__ for m in contracts if m.__base__ is not EventData}
    return sorted((b for b in bases if b is not None), key=lambda b: b.__name__)


def _schemas(contracts: list[type[EventData]]) -> dict[str, Any]:
    every: list[type[BaseModel]] = [CloudEvent, *_snapshots(contracts), *contracts]
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [(m, "validation") for m in every]
    _, defs = models_json_schema(models, ref_template=SCHEMAS + "{model}")
    schemas: dict[str, Any] = defs["$defs"]
    for schema in schemas.values():  # readers must accept fields added later (same version)
        schema.pop("additionalProperties", None)
    for model in contracts:
        schemas[model.__name__]["description"] = model.contract.summary
        base = model.__base__
        if base is not None and base is not EventData:
            schemas[model.__name__]["x-record"] = base.__name__
    envelope = schemas["CloudEvent"]
    envelope["description"] = "CloudEvents 1.0, structured content mode (JSON)."
    envelope["required"] = ["specversion", "id", "source", "type", "subject", "time", "data"]
    return schemas


def _message(model: type[EventData]) -> dict[str, Any]:
    spec = model.contract
    return {
        "name": spec.type,
        "title": f"{spec.name} v{spec.version}",
        "summary": spec.summary,
        "contentType": STRUCTURED,
        "payload": {
            "allOf": [
                {"$ref": SCHEMAS + "CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": spec.type},
                        "source": {"const": f"/servicedesk/{spec.producer}"},
                        "aggregatetype": {"const": spec.aggregate},
                        "data": {"$ref": SCHEMAS + model.__name__},
                    },
                },
            ]
        },
        "bindings": {
            "amqp": {"messageType": spec.type, "deliveryMode": 2, "bindingVersion": AMQP_BINDING}
        },
    }


def asyncapi(contracts: Iterable[type[EventData]]) -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel per event type (its routing key on the topic
    exchange), a `send` operation per type, and the log stream every event also goes to."""
    models = sorted(contracts, key=lambda m: m.contract.type)
    exchange = {
        "name": EXCHANGE,
        "type": "topic",
        "durable": True,
        "autoDelete": False,
        "vhost": f"/{VHOST}",
    }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for model in models:
        ref = {"$ref": f"#/components/messages/{_id(model)}"}
        channels[_id(model)] = {
            "address": model.contract.type,
            "description": f"{model.contract.summary} (routing key on `{EXCHANGE}`)",
            "messages": {_id(model): ref},
            "bindings": {
                "amqp": {"is": "routingKey", "exchange": exchange, "bindingVersion": AMQP_BINDING}
            },
        }
        operations[f"publish{model.__name__}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{_id(model)}"},
            "summary": f"{model.contract.producer} publishes it through its outbox",
            "messages": [{"$ref": f"#/channels/{_id(model)}/messages/{_id(model)}"}],
        }
    channels["eventsLog"] = {
        "address": LOG,
        "description": (
            f"A stream bound to `{EXCHANGE}` with `#`: every event, kept {RETENTION}. Read it "
            "over AMQP 0-9-1 with `x-stream-offset` (first, an offset, a time), a prefetch and "
            "manual acks, or replay it into a consumer's queue with `servicedesk-ops events "
            "replay` (ADR 0020)."
        ),
        "messages": {_id(m): {"$ref": f"#/components/messages/{_id(m)}"} for m in models},
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {"name": LOG, "durable": True, "exclusive": False, "autoDelete": False},
                "bindingVersion": AMQP_BINDING,
            }
        },
    }
    operations["readEventsLog"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/eventsLog"},
        "summary": "a consumer reads (or replays) the log from a position",
        "messages": [{"$ref": f"#/channels/eventsLog/messages/{_id(m)}"} for m in models],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "servicedesk events",
            "version": "1.0.0",
            "description": (
                "Every state change others must hear of, published from each service's outbox "
                "to the topic exchange `servicedesk.events` as a CloudEvents 1.0 event "
                "(structured mode). Routing key and `type`: `servicedesk.<event>.v<version>`. "
                "Delivery is at least once: consumers keep the ids they handled. Generated "
                "from `servicedesk.contracts`; see docs/events.md."
            ),
        },
        "defaultContentType": STRUCTURED,
        "servers": {
            "local": {
                "host": "127.0.0.1:5672",
                "pathname": f"/{VHOST}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ of the local stack (`./sd up`)",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {_id(m): _message(m) for m in models},
            "schemas": _schemas(models),
        },
    }


class _NoAliases(yaml.SafeDumper):
    """Writes repeated objects out in full (no `&id001` anchors): plainer for readers and tools."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def asyncapi_yaml(contracts: Iterable[type[EventData]]) -> str:
    header = (
        "# Generated from servicedesk.contracts by `servicedesk-ops events docs`. Do not edit.\n"
    )
    return header + document_yaml(asyncapi(contracts))


def document_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_NoAliases,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
