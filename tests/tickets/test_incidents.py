"""Registering incidents on the real stack: priority and SLA from the policy, who reports,
idempotent retries, assignees and groups from Keycloak. (Clients and orders:
test_incident_references.py; edits and events: test_incident_edits.py.)"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime
from typing import Any, cast

import httpx
import pytest

from servicedesk.kernel.auth import Principal
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.people import reporter_of
from servicedesk.tickets.policy import load_policy
from tests.support.tokens import TokenShop
from tests.tickets.factories import (
    INCIDENTS,
    PROBLEM_JSON,
    count_titled,
    directory_group_id,
    directory_user_id,
    headers_of,
    open_incident,
    subject_of,
    unique,
)

POLICY = load_policy()
KEY = re.compile(r"^INC-\d{6,}$")


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def fields_of(response: httpx.Response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    return [e["field"] for e in response.json().get("errors", [])]


def body(**fields: Any) -> dict[str, Any]:
    return {"title": unique(), "description": "It broke.", "category": "software", **fields}


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


@pytest.fixture
async def channels(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "service:channels")


# ---- registering ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("high", "high", "critical"),
        ("high", "medium", "high"),
        ("high", "low", "medium"),
        ("medium", "high", "high"),
        ("medium", "medium", "medium"),
        ("medium", "low", "low"),
        ("low", "high", "medium"),
        ("low", "medium", "low"),
        ("low", "low", "low"),
    ],
)
async def test_priority_and_sla_come_from_the_policy(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    impact: str,
    urgency: str,
    priority: str,
) -> None:
    response = await tickets_api.post(
        INCIDENTS, json=body(impact=impact, urgency=urgency), headers=agent
    )
    assert response.status_code == 201, response.text
    incident = response.json()
    assert (incident["impact"], incident["urgency"], incident["priority"]) == (
        impact,
        urgency,
        priority,
    )
    assert KEY.match(incident["key"])
    assert incident["key"] == f"INC-{incident['number']:06d}"
    assert (incident["status"], incident["version"]) == ("new", 1)
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{INCIDENTS}/{incident['id']}"
    created, target = at(incident["created_at"]), POLICY.sla[priority]
    assert at(incident["response_due_at"]) - created == target.response
    assert at(incident["resolution_due_at"]) - created == target.resolution
    assert incident["responded_at"] is None
    assert incident["sla_breached"] is False


async def test_the_reporter_is_whoever_opens_it_when_none_is_given(
    tickets_api: httpx.AsyncClient, reporter: dict[str, str], tokens: TokenShop
) -> None:
    incident = await open_incident(tickets_api, reporter, channel="web")
    assert incident["reporter_id"] == await subject_of(tokens, "reporter1")
    assert incident["reporter_username"] == "reporter1"
    assert incident["reporter_email"] == "reporter1@example.com"
    assert incident["reporter_name"]
    assert (incident["channel"], incident["created_by"]) == ("web", "reporter1")
    assert incident["assignee_id"] is None
    assert incident["group_id"] is None
    assert incident["problem_id"] is not None, "every incident has its problem"


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (
            {
                "name": "Ира",
                "email": "ira@example.com",
                "phone": "+79161234567",
                "telegram_id": "42",
            },
            ("Ира", "ira@example.com", "+79161234567", 42),
        ),
        (
            {"name": "Я" * 300, "email": "e" * 250 + "@x.io", "phone": "8 (916) 123-45-67"},
            ("Я" * 200, None, None, None),
        ),
        ({"phone": "+7916123456789012345", "telegram_id": "²"}, (None, None, None, None)),
        ({"telegram_id": "9" * 30}, (None, None, None, None)),
        ({"telegram_id": "-5"}, (None, None, None, None)),
        ({"telegram_id": "0"}, (None, None, None, None)),
    ],
)
async def test_the_openers_claims_are_kept_only_when_they_fit(
    claims: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    """Keycloak attributes are not checked by our schemas; the columns must still hold them."""
    actor = Principal("sub-1", "someone", frozenset({"reporter"}), "servicedesk-web", "t", **claims)
    incident = Incident()
    await reporter_of(cast(Desk, None), None, actor, incident)
    assert (incident.reporter_id, incident.reporter_username) == ("sub-1", "someone")
    assert (
        incident.reporter_name,
        incident.reporter_email,
        incident.reporter_phone,
        incident.reporter_telegram_id,
    ) == expected


async def test_an_agent_registers_an_outside_contact(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    contact = {
        "name": "  Пётр   Сидоров ",
        "phone": "+7 (916) 555-12-34",
        "telegram_id": 5_550_001,
        "email": "petr@example.com",
    }
    incident = await open_incident(tickets_api, agent, channel="sms", reporter=contact)
    assert incident["reporter_id"] is None
    assert incident["reporter_username"] is None
    assert incident["reporter_name"] == "Пётр Сидоров"
    assert incident["reporter_phone"] == "+79165551234"
    assert incident["reporter_telegram_id"] == 5_550_001
    assert incident["reporter_email"] == "petr@example.com"
    assert (incident["channel"], incident["created_by"]) == ("sms", "agent1")


async def test_an_agent_registers_for_a_realm_user(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], tokens: TokenShop
) -> None:
    reporter_id = await subject_of(tokens, "reporter1")
    incident = await open_incident(tickets_api, agent, reporter={"user_id": reporter_id})
    assert (incident["reporter_id"], incident["reporter_username"]) == (reporter_id, "reporter1")
    unknown = await tickets_api.post(
        INCIDENTS, json=body(reporter={"user_id": str(uuid.uuid4())}), headers=agent
    )
    assert fields_of(unknown) == ["reporter.user_id"]


async def test_a_channel_service_registers_with_its_contact(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    contact = {"name": "Telegram User", "telegram_id": 777_000_123}
    incident = await open_incident(tickets_api, channels, channel="telegram", reporter=contact)
    assert incident["channel"] == "telegram"
    assert (incident["reporter_telegram_id"], incident["reporter_name"]) == (
        777_000_123,
        "Telegram User",
    )
    assert incident["reporter_id"] is None
    assert incident["created_by"].startswith("service-account-")


async def test_a_service_must_name_the_reporter(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    data = body(channel="telegram")
    assert fields_of(await tickets_api.post(INCIDENTS, json=data, headers=channels)) == ["reporter"]
    assert await count_titled(data["title"]) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"assignee": "11111111-2222-3333-4444-555555555555"},
        {"group": "11111111-2222-3333-4444-555555555555"},
        {"reporter": {"name": "Someone Else"}},
    ],
    ids=["assignee", "group", "reporter"],
)
async def test_a_reporter_opens_for_themselves_unassigned(
    tickets_api: httpx.AsyncClient, reporter: dict[str, str], extra: dict[str, Any]
) -> None:
    data = body(**extra)
    response = await tickets_api.post(INCIDENTS, json=data, headers=reporter)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert await count_titled(data["title"]) == 0


# ---- idempotency ----------------------------------------------------------------------------


async def test_a_retry_with_the_same_key_gets_the_same_incident(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    data, key = body(), {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = await tickets_api.post(INCIDENTS, json=data, headers={**agent, **key})
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await tickets_api.post(INCIDENTS, json=data, headers={**agent, **key})
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert await count_titled(data["title"]) == 1


async def test_concurrent_retries_make_one_incident(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    data, key = body(), {"Idempotency-Key": f"storm-{uuid.uuid4()}"}
    answers = await asyncio.gather(
        *(tickets_api.post(INCIDENTS, json=data, headers={**agent, **key}) for _ in range(10))
    )
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await count_titled(data["title"]) == 1


async def test_the_same_key_with_another_request_is_refused(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    key = {"Idempotency-Key": f"reuse-{uuid.uuid4()}"}
    await open_incident(tickets_api, {**agent, **key})
    other = body()
    response = await tickets_api.post(INCIDENTS, json=other, headers={**agent, **key})
    assert fields_of(response) == ["Idempotency-Key"]
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert await count_titled(other["title"]) == 0


async def test_a_refused_request_does_not_use_up_its_key(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    key = {"Idempotency-Key": f"fixed-{uuid.uuid4()}"}
    wrong = body(category="no-such-category")
    refused = await tickets_api.post(INCIDENTS, json=wrong, headers={**agent, **key})
    assert fields_of(refused) == ["category"]
    fixed = {**wrong, "category": "software"}
    created = await tickets_api.post(INCIDENTS, json=fixed, headers={**agent, **key})
    assert created.status_code == 201, created.text
    assert await count_titled(wrong["title"]) == 1


async def test_keys_belong_to_their_user(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], tokens: TokenShop
) -> None:
    data, key = body(), {"Idempotency-Key": f"shared-{uuid.uuid4()}"}
    mine = await tickets_api.post(INCIDENTS, json=data, headers={**agent, **key})
    agent2 = await headers_of(tokens, "agent2")
    theirs = await tickets_api.post(INCIDENTS, json=data, headers={**agent2, **key})
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert mine.json()["id"] != theirs.json()["id"]
    assert await count_titled(data["title"]) == 2


@pytest.mark.parametrize("key", ["", "with space", "x" * 201, "ключ"])
async def test_malformed_idempotency_keys(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], key: str
) -> None:
    headers = [(k.encode(), v.encode()) for k, v in agent.items()]
    headers.append((b"Idempotency-Key", key.encode()))
    response = await tickets_api.post(INCIDENTS, json=body(), headers=headers)
    assert fields_of(response) == ["Idempotency-Key"]


# ---- assignee and group ---------------------------------------------------------------------


async def test_assignee_and_group_by_keycloak_id(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    agent2 = await directory_user_id(tickets_api, agent, "agent2")
    group = await directory_group_id(tickets_api, agent, "second-line")
    incident = await open_incident(tickets_api, agent, assignee=agent2, group=group)
    assert (incident["assignee_id"], incident["assignee_username"]) == (agent2, "agent2")
    assert (incident["group_id"], incident["group_name"]) == (group, "second-line")


async def test_only_agents_are_assignable_and_groups_must_exist(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], tokens: TokenShop
) -> None:
    cases = {
        "assignee": await subject_of(tokens, "reporter1"),
        "group": str(uuid.uuid4()),
    }
    for field, value in cases.items():
        data = body(**{field: value})
        assert fields_of(await tickets_api.post(INCIDENTS, json=data, headers=agent)) == [field]
        assert await count_titled(data["title"]) == 0
    nobody = await tickets_api.post(INCIDENTS, json=body(assignee=str(uuid.uuid4())), headers=agent)
    assert fields_of(nobody) == ["assignee"]
