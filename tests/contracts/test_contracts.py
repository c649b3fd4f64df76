"""The contracts: names, what publishers may send, what consumers accept, the envelope."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from servicedesk.contracts import (
    CONTRACTS,
    ClientCreatedV1,
    CloudEvent,
    ContractViolation,
    IncidentCreatedV1,
    IncidentStatusChangedV1,
    cloud_type,
    parse_message,
    split_type,
)
from servicedesk.contracts.envelope import STRUCTURED
from servicedesk.kernel.events import DomainEvent


def incident(**extra: Any) -> dict[str, Any]:
    """An incident payload exactly as tickets builds it today (tickets/incidents/events.py)."""
    return {
        "id": str(uuid.uuid4()),
        "key": "INC-000123",
        "title": "Не работает почта",
        "status": "new",
        "priority": "medium",
        "category": "email",
        "channel": "web",
        "reporter": {
            "id": "u-1",
            "username": "reporter1",
            "name": "Иван Петров",
            "email": "ivan@example.com",
            "phone": None,
            "telegram_id": None,
        },
        "assignee_username": None,
        "group_id": None,
        "client_ref": None,
        "order_ref": None,
        "problem_id": None,
        "version": 1,
        **extra,
    }


def client_data() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "display_name": "ООО Ромашка",
        "kind": "company",
        "email": None,
        "phone": None,
        "tax_id": None,
        "external_id": None,
        "version": 1,
    }


def problem(**extra: Any) -> dict[str, Any]:
    base = {
        "id": str(uuid.uuid4()),
        "key": "PRB-000007",
        "title": "Почта",
        "status": "open",
        "priority": "high",
        "category": "email",
        "correlation_rule": "same-category",
        "version": 2,
    }
    return {**base, **extra}


TODAY = [
    ("incident.created", incident(problem_key="PRB-000007")),
    ("incident.updated", incident(changed=["urgency", "priority"])),
    (
        "incident.status_changed",
        incident(
            transition="resolve",
            from_status="in_progress",
            to_status="resolved",
            reason=None,
            resolution="fixed",
        ),
    ),
    (
        "incident.status_changed",
        incident(
            reason="problem_closed",
            from_status="resolved",
            to_status="closed",
            problem_key="PRB-000007",
            resolution=None,
        ),
    ),
    (
        "incident.commented",
        incident(
            comment_id=str(uuid.uuid4()), visibility="public", author="agent1", body="Смотрим"
        ),
    ),
    (
        "incident.sla_warning",
        incident(
            targets=["resolution"],
            response_due_at=None,
            resolution_due_at="2026-12-04T10:00:00+00:00",
        ),
    ),
    ("incident.sla_breached", incident(targets=["response", "resolution"])),
    ("problem.created", problem(incident_id=str(uuid.uuid4()))),
    ("problem.updated", problem(transition="start", from_status="open", to_status="work")),
    ("problem.closed", problem(closed_incidents=[str(uuid.uuid4())])),
]


@pytest.mark.parametrize(("name", "payload"), TODAY, ids=[n for n, _ in TODAY])
def test_what_tickets_records_today_matches_its_contract(
    name: str, payload: dict[str, Any]
) -> None:
    aggregate = name.split(".")[0]
    event = DomainEvent(name, aggregate, payload["id"], payload).checked()
    assert event.payload["id"] == payload["id"]
    assert CONTRACTS.validate_incoming(cloud_type(name, 1), event.payload)


def test_types_are_versioned_and_round_trip() -> None:
    assert IncidentCreatedV1.contract.type == "servicedesk.incident.created.v1"
    assert split_type("servicedesk.incident.status_changed.v1") == ("incident.status_changed", 1)
    assert split_type("incident.created") is None
    assert {m.contract.type for m in CONTRACTS} >= {
        "servicedesk.incident.created.v1",
        "servicedesk.problem.closed.v1",
        "servicedesk.client.updated.v1",
        "servicedesk.order.created.v1",
    }


def test_publishers_may_not_send_what_the_contract_does_not_name() -> None:
    with pytest.raises(ContractViolation, match="secret"):
        DomainEvent("incident.created", "incident", "x", incident(secret="x")).checked()
    with pytest.raises(ValidationError, match="bogus"):
        ClientCreatedV1.model_validate({**client_data(), "bogus": 1})
    with pytest.raises(ContractViolation, match="key"):
        DomainEvent("incident.created", "incident", "x", incident(key="123")).checked()
    with pytest.raises(ContractViolation) as unknown:
        DomainEvent("incident.vanished", "incident", "x", incident()).checked()
    assert unknown.value.reason == "unknown-type"


def test_consumers_ignore_fields_they_do_not_know_but_not_missing_ones() -> None:
    data = incident(problem_key=None, added_later="ok")
    data["reporter"] = {**data["reporter"], "locale": "ru"}
    parsed = CONTRACTS.validate_incoming("servicedesk.incident.created.v1", data)
    assert isinstance(parsed, IncidentCreatedV1)
    assert parsed.reporter.name == "Иван Петров"
    data["reporter"]["telegram_id"] = "not a number"
    with pytest.raises(ContractViolation, match="telegram_id"):
        CONTRACTS.validate_incoming("servicedesk.incident.created.v1", data)
    data["reporter"]["telegram_id"] = None
    del data["status"]
    with pytest.raises(ContractViolation) as missing:
        CONTRACTS.validate_incoming("servicedesk.incident.created.v1", data)
    assert missing.value.reason == "contract"
    assert "status" in missing.value.detail


def test_the_typed_path_gives_the_same_event_as_the_dict_path() -> None:
    model = IncidentStatusChangedV1.model_validate(
        incident(transition="t", from_status="a", to_status="b")
    )
    typed = DomainEvent.of(model, subject=str(model.id))
    assert (typed.event_type, typed.aggregate_type, typed.version) == (
        "incident.status_changed",
        "incident",
        1,
    )
    assert typed.checked().payload == typed.payload


def test_structured_and_binary_modes_parse_to_the_same_envelope() -> None:
    client = ClientCreatedV1(
        id=uuid.uuid4(),
        display_name="ООО Ромашка",
        kind="company",
        email=None,
        phone=None,
        tax_id=None,
        external_id=None,
        version=1,
    )
    event = CloudEvent(
        id="e-1",
        source="/servicedesk/clients",
        type=ClientCreatedV1.contract.type,
        subject=str(client.id),
        data=client.model_dump(mode="json"),
        requestid="r-1",
    )
    structured = parse_message(event.to_json(), STRUCTURED, {})
    headers = {
        "ce-specversion": "1.0",
        "ce-id": "e-1",
        "ce-source": "/servicedesk/clients",
        "ce-type": ClientCreatedV1.contract.type,
        "ce-subject": str(client.id),
        "ce-requestid": "r-1",
    }
    binary = parse_message(json.dumps(event.data).encode(), "application/json", headers)
    assert structured == binary
    assert structured.requestid == "r-1"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1]", b'{"specversion": "0.3", "id": "x"}', b'{"specversion": "1.0"}'],
)
def test_what_is_not_a_cloudevent_is_malformed(body: bytes) -> None:
    with pytest.raises(ContractViolation) as bad:
        parse_message(body, STRUCTURED, {})
    assert bad.value.reason == "malformed"
