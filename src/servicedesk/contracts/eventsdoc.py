"""docs/events.md, rendered from the AsyncAPI document (so the two always agree)."""

from __future__ import annotations

from typing import Any

from servicedesk.contracts.asyncapi import EXCHANGE, LOG, RETENTION, SCHEMAS

INTRO = f"""# Events

<!-- Generated from servicedesk.contracts by `servicedesk-ops events docs`; do not edit. -->

Every service writes its events to an outbox table in the transaction that made the change;
a relay publishes them to the RabbitMQ topic exchange `{EXCHANGE}` (ADR 0007). Each event
is a [CloudEvents 1.0](https://github.com/cloudevents/spec) event in structured content mode,
and its `data` follows a versioned contract: a pydantic model in `servicedesk.contracts`,
published as JSON Schema in [asyncapi.yaml](asyncapi.yaml) (AsyncAPI 3.0). Delivery is at
least once: consumers keep the ids they processed.

Every event also goes to the stream `{LOG}`, kept {RETENTION},
so a consumer that comes later can read every event from the beginning:
`servicedesk-ops events replay --consumer <queue> --from first` feeds its queue (also
`--from offset N` or `--from <ISO time>`; `--bind <pattern>` for a queue the platform does not
know yet). `servicedesk-ops events info` shows the first and last events the log holds, and
`events list --from … --limit N` lists them (ADR 0020).

## Envelope

| attribute | value |
|---|---|
| `specversion` | `1.0` |
| `id` | the event's id (the outbox row's UUID); the AMQP `message_id` too |
| `source` | `/servicedesk/<service>`: tickets, clients, orders |
| `type` | `servicedesk.<event>.v<version>`; also the routing key and the AMQP `type` |
| `subject` | the id of the aggregate the event is about (incident, problem, client, order) |
| `time` | when the change happened (RFC 3339) |
| `datacontenttype` | `application/json` |
| `data` | the event's contract (below) |
| `requestid` | extension: the request id of the request that caused it, if any |
| `aggregatetype` | extension: `incident`, `problem`, `client` or `order` |
| `actor` | extension: the username whose request made the change; absent for the system |

On the wire the AMQP message's body is the whole event as JSON, content type
`application/cloudevents+json`, persistent. Consumers also accept binary content mode (`ce-`
headers, the body is `data`).

## Contracts and versions

- Publishers are strict: an event is checked against its contract when it is recorded, and a
  field the contract does not name is an error.
- Consumers are tolerant readers: fields they do not know are ignored, so adding an optional
  field keeps the version. Removing or renaming a field, or changing its type or meaning, is a
  new version (`….v2`, a new model), published next to the old one until no consumer needs it.
- A consumer parses every message into the envelope and validates `data` against the contract
  of its `type`. A message that is not an event, has an unknown type, or fails its contract is
  dead-lettered at once (exchange `servicedesk.dead-letters`, queue `dead-letters`) with
  headers `x-dead-letter-reason` (`malformed`, `unknown-type`, `contract`),
  `x-dead-letter-detail` and `x-dead-letter-consumer`; it is never retried forever nor lost.
  A handler that fails is retried up to the queue's delivery limit (10), then dead-lettered;
  each retry waits longer (0.5 s, doubling, at most 15 s: about a minute and a quarter in all),
  so a passing fault (a database restart, a directory not read yet) heals before it is given up.
"""

OUTRO = """
Consumers that tell reporters (notifications) should send only `visibility: public` comments.
"""


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(SCHEMAS)
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items', {}))}"
    text = str(schema.get("type", "any"))
    if "format" in schema:
        text += f" ({schema['format']})"
    if "pattern" in schema:
        text += f", `{schema['pattern']}`"
    if "minimum" in schema:
        text += f", ≥ {schema['minimum']}"
    return text


def _fields(schema: dict[str, Any], skip: dict[str, Any] | None = None) -> list[str]:
    required = set(schema.get("required", ()))
    rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        if skip and name in skip.get("properties", {}):
            continue
        meaning = str(prop.get("description", "")).replace("|", "\\|")
        rows.append(
            f"| `{name}` | {_type(prop)} | {'yes' if name in required else 'no'} | {meaning} |"
        )
    return rows


def events_markdown(document: dict[str, Any]) -> str:
    messages = document["components"]["messages"]
    schemas = document["components"]["schemas"]
    lines = [INTRO, "## Event types", "", "| type | source | when |", "|---|---|---|"]
    for message in messages.values():
        source = message["payload"]["allOf"][1]["properties"]["source"]["const"]
        lines.append(f"| `{message['name']}` | `{source}` | {message['summary']} |")
    for message in messages.values():
        data = schemas[_data_name(message)]
        record = data.get("x-record")
        lines += ["", f"### `{message['name']}`", ""]
        if record:
            link = f"[{record}](#{record.lower()})"
            own = _fields(data, skip=schemas[record])
            if len(own) > 2:
                lines += [f"{message['summary'].capitalize()}. `data`: {link}, and", "", *own]
            else:
                lines += [f"{message['summary'].capitalize()}. `data`: {link}."]
        else:
            lines += [f"{message['summary'].capitalize()}. `data`:", "", *_fields(data)]
    data_names = {_data_name(m) for m in messages.values()}
    lines += ["", "## Records and shapes"]
    for name in [n for n in schemas if n != "CloudEvent" and n not in data_names]:
        lines += ["", f"### {name}", "", str(schemas[name].get("description", "")), ""]
        lines += _fields(schemas[name])
    lines.append(OUTRO)
    return "\n".join(lines).replace("\n\n\n", "\n\n")


def _data_name(message: dict[str, Any]) -> str:
    ref: str = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
    return ref.removeprefix(SCHEMAS)
