"""docs/esb-asyncapi.yaml is what the ESB contract generates: every command and event a channel
with a message, every reference resolving, the data of each a JSON Schema."""

from __future__ import annotations

from pathlib import Path

import yaml

from servicedesk.contracts.esb import ESB_COMMANDS, ESB_EVENTS
from servicedesk.contracts.esb_asyncapi import esb_asyncapi, esb_asyncapi_yaml
from tests.contracts.test_asyncapi import _refs, _resolve

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "esb-asyncapi.yaml"


def test_the_checked_in_document_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == esb_asyncapi_yaml(), (
        "run servicedesk-ops esb docs"
    )


def test_every_command_and_event_is_documented_and_resolves() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    names = {m["name"] for m in document["components"]["messages"].values()}
    assert names == {m.contract.type for m in (*ESB_COMMANDS, *ESB_EVENTS)}
    for ref in _refs(document):
        _resolve(document, ref)
    schemas = document["components"]["schemas"]
    assert schemas["CreateIncidentV1"]["required"] == ["title", "description"]
    actions = {o["action"] for o in esb_asyncapi()["operations"].values()}
    assert actions == {"send", "receive"}
