"""The AsyncAPI 3.0 document of the ESB contract (docs/esb-asyncapi.yaml): commands other systems
send (the desk receives them on `servicedesk.esb.commands`) and events the desk sends them (on
`servicedesk.esb.events`), each a CloudEvent in binary content mode: `ce-` headers, and the
payload is the `data` schema. Kept apart from the platform's events document (structured mode,
one exchange); `servicedesk-ops esb docs` writes it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from servicedesk.contracts.asyncapi import document_yaml
from servicedesk.contracts.base import EventData
from servicedesk.contracts.esb import ESB_COMMANDS, ESB_EVENTS

COMMANDS, EVENTS = "servicedesk.esb.commands", "servicedesk.esb.events"
SCHEMAS = "#/components/schemas/"
AMQP_BINDING = "0.3.0"
CALLER = {"description": "the calling system (its RabbitMQ user may use only its own name)"}
HEADERS = {
    "type": "object",
    "required": ["ce-specversion", "ce-id", "ce-source", "ce-type"],
    "properties": {
        "ce-specversion": {"const": "1.0"},
        "ce-id": {"type": "string", "description": "unique per source: the dedup key"},
        "ce-source": {"type": "string"},
        "ce-type": {"type": "string"},
        "ce-time": {"type": "string", "format": "date-time"},
        "ce-subject": {"type": "string", "description": "the caller's own reference"},
        "ce-callerref": {"type": "string", "description": "the caller's reference (also)"},
    },
}


def _id(model: type[EventData]) -> str:
    return "esb" + model.__name__.removeprefix("Esb")


def _route(model: type[EventData]) -> str:
    return "{caller}." + model.contract.name.removeprefix("esb.")


def _message(model: type[EventData]) -> dict[str, Any]:
    spec = model.contract
    return {
        "name": spec.type,
        "title": f"{spec.name} v{spec.version}",
        "summary": spec.summary,
        "contentType": "application/json",
        "headers": HEADERS,
        "payload": {"$ref": SCHEMAS + model.__name__},
        "bindings": {
            "amqp": {"messageType": spec.type, "deliveryMode": 2, "bindingVersion": AMQP_BINDING}
        },
    }


def _exchange(name: str) -> dict[str, Any]:
    return {"name": name, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}


def _parts() -> dict[str, dict[str, Any]]:
    parts: dict[str, dict[str, Any]] = {"channels": {}, "operations": {}, "messages": {}}
    sides = ((ESB_COMMANDS, COMMANDS, "receive"), (ESB_EVENTS, EVENTS, "send"))
    every: list[type[BaseModel]] = []
    for registry, exchange, action in sides:
        for model in registry:
            every.append(model)
            ident = _id(model)
            parts["messages"][ident] = _message(model)
            parts["channels"][ident] = {
                "address": _route(model),
                "description": f"{model.contract.summary} (routing key on `{exchange}`)",
                "parameters": {"caller": CALLER},
                "messages": {ident: {"$ref": f"#/components/messages/{ident}"}},
                "bindings": {
                    "amqp": {
                        "is": "routingKey",
                        "exchange": _exchange(exchange),
                        "bindingVersion": AMQP_BINDING,
                    }
                },
            }
            parts["operations"][f"{action}{model.__name__}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{ident}"},
                "summary": "the desk receives it" if action == "receive" else "the desk sends it",
                "messages": [{"$ref": f"#/channels/{ident}/messages/{ident}"}],
            }
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [(m, "validation") for m in every]
    _, defs = models_json_schema(models, ref_template=SCHEMAS + "{model}")
    parts["schemas"] = defs["$defs"]
    return parts


def esb_asyncapi() -> dict[str, Any]:
    parts = _parts()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "servicedesk ESB",
            "version": "1.0.0",
            "description": (
                "Other systems open incidents, comment, follow them under their own reference and"
                " ask for their status; the desk tells them what happens. CloudEvents 1.0, binary"
                " content mode (structured accepted on input). `source`+`id` is the dedup key;"
                " events are at least once. See docs/esb.md."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:5672",
                "pathname": "/servicedesk",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ of the local stack; a caller logs in as esb-<caller>",
            }
        },
        "channels": parts["channels"],
        "operations": parts["operations"],
        "components": {"messages": parts["messages"], "schemas": parts["schemas"]},
    }


def esb_asyncapi_yaml() -> str:
    header = (
        "# Generated from servicedesk.contracts.esb by `servicedesk-ops esb docs`. Do not edit.\n"
    )
    return header + document_yaml(esb_asyncapi())
