"""docs/asyncapi.yaml and docs/events.md are what the contracts generate, and valid AsyncAPI 3.0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from servicedesk.contracts import CONTRACTS
from servicedesk.contracts.asyncapi import asyncapi, asyncapi_yaml
from servicedesk.contracts.eventsdoc import events_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"
STALE = "stale: run `servicedesk-ops events docs` and commit the result"


def test_the_checked_in_asyncapi_document_is_current() -> None:
    assert (DOCS / "asyncapi.yaml").read_text(encoding="utf-8") == asyncapi_yaml(CONTRACTS), STALE


def test_the_checked_in_events_doc_is_current() -> None:
    expected = events_markdown(asyncapi(CONTRACTS))
    assert (DOCS / "events.md").read_text(encoding="utf-8") == expected, STALE


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_the_document_is_structurally_valid_asyncapi_3() -> None:
    document = yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(document["info"])
    assert all({"host", "protocol"} <= set(s) for s in document["servers"].values())
    for ref in _refs(document):
        _resolve(document, ref)
    for name, channel in document["channels"].items():
        assert isinstance(channel["address"], str), name
        assert channel["messages"], name
    for name, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert operation["channel"]["$ref"].startswith("#/channels/"), name
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:  # v3: an operation's messages are its channel's
            assert message["$ref"].startswith(channel_ref + "/messages/"), name
    schemas = document["components"]["schemas"]
    for name, message in document["components"]["messages"].items():
        payload = message["payload"]
        assert payload["allOf"][0] == {"$ref": "#/components/schemas/CloudEvent"}, name
        data = _resolve(document, payload["allOf"][1]["properties"]["data"]["$ref"])
        assert data["type"] == "object", name
        assert data["properties"], name
        assert message["name"] == payload["allOf"][1]["properties"]["type"]["const"]
    for name, schema in schemas.items():
        assert "$defs" not in schema, f"{name}: nested definitions belong in components"


def test_every_contract_has_a_channel_and_a_message() -> None:
    document = asyncapi(CONTRACTS)
    addresses = {c["address"] for c in document["channels"].values()}
    assert {m.contract.type for m in CONTRACTS} <= addresses
    assert "servicedesk.events.log" in addresses
    names = {m["name"] for m in document["components"]["messages"].values()}
    assert names == {m.contract.type for m in CONTRACTS}
