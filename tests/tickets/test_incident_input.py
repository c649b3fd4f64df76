"""Bad input, field by field: always 422 problem+json naming the field, never a 500."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import httpx
import pytest

from tests.support.tokens import TokenShop
from tests.tickets.factories import (
    INCIDENTS,
    PROBLEM_JSON,
    count_titled,
    edit_incident,
    headers_of,
    open_incident,
    unique,
)

MISSING = object()


def valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": unique("Input"),
        "description": "Valid description",
        "category": "software",
    }
    for name, value in changes.items():
        if value is MISSING:
            data.pop(name)
        else:
            data[name] = value
    return data


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert (body["status"], body["type"].rsplit("/", 1)[-1]) == (422, "invalid-input")
    return [e["field"] for e in body["errors"]]


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture(scope="module")
async def incident(tickets_api: httpx.AsyncClient, tokens: TokenShop) -> dict[str, Any]:
    """One incident the edits and comments below try, and fail, to change."""
    return await open_incident(tickets_api, await headers_of(tokens, "agent1"))


CREATE_CASES: list[tuple[str, Any, str]] = [
    ("title", MISSING, "title"),
    ("title", None, "title"),
    ("title", "", "title"),
    ("title", "   ", "title"),
    ("title", "x" * 201, "title"),
    ("title", "line\nbreak", "title"),
    ("title", "bell\x07", "title"),
    ("title", "nul\x00", "title"),
    ("title", 42, "title"),
    ("description", MISSING, "description"),
    ("description", "", "description"),
    ("description", " \n ", "description"),
    ("description", "x" * 20_001, "description"),
    ("description", "nul \x00 inside", "description"),
    ("description", "escape \x1b[31m", "description"),
    ("description", ["a list"], "description"),
    ("category", MISSING, "category"),
    ("category", "no-such-category", "category"),
    ("category", "", "category"),
    ("category", "x" * 65, "category"),
    ("category", "soft\x00ware", "category"),
    ("impact", "extreme", "impact"),
    ("impact", "HIGH", "impact"),
    ("impact", None, "impact"),
    ("urgency", "asap", "urgency"),
    ("urgency", 1, "urgency"),
    ("channel", "pigeon", "channel"),
    ("channel", "", "channel"),
    ("reporter", {}, "reporter"),
    ("reporter", "Ivan", "reporter"),
    ("reporter", {"email": "not-an-email"}, "reporter.email"),
    ("reporter", {"email": "a@b"}, "reporter.email"),
    ("reporter", {"phone": "12345"}, "reporter.phone"),
    ("reporter", {"phone": "+7 916 ABC-45-67"}, "reporter.phone"),
    ("reporter", {"phone": "+7916123456789012"}, "reporter.phone"),
    ("reporter", {"telegram_id": -5}, "reporter.telegram_id"),
    ("reporter", {"telegram_id": 0}, "reporter.telegram_id"),
    ("reporter", {"telegram_id": 2**53}, "reporter.telegram_id"),
    ("reporter", {"telegram_id": "abc"}, "reporter.telegram_id"),
    ("reporter", {"telegram_id": 1.5}, "reporter.telegram_id"),
    ("reporter", {"name": "x" * 201}, "reporter.name"),
    ("reporter", {"name": "nul\x00"}, "reporter.name"),
    ("reporter", {"user_id": "../admin"}, "reporter.user_id"),
    ("reporter", {"name": "Ivan", "role": "admin"}, "reporter.role"),
    ("client", "x" * 65, "client"),
    ("client", "", "client"),
    ("client", "LC-\x00", "client"),
    ("client", 12, "client"),
    ("order", "x" * 65, "order"),
    ("order", "", "order"),
    ("assignee", "../agent2", "assignee"),
    ("assignee", "agent two", "assignee"),
    ("assignee", "x" * 65, "assignee"),
    ("assignee", "", "assignee"),
    ("group", "first/line", "group"),
    ("priority", "critical", "priority"),  # derived, never given
    ("status", "resolved", "status"),
    ("number", 1, "number"),
    ("unexpected", True, "unexpected"),
]


@pytest.mark.parametrize(
    ("name", "value", "field"),
    CREATE_CASES,
    ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CREATE_CASES)],
)
async def test_each_bad_field_on_registration_is_named(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], name: str, value: Any, field: str
) -> None:
    data = valid(**{name: value})
    response = await tickets_api.post(INCIDENTS, json=data, headers=agent)
    assert problem_fields(response) == [field]


async def test_nothing_is_stored_for_bad_input(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    data = valid(category="no-such-category")
    assert problem_fields(await tickets_api.post(INCIDENTS, json=data, headers=agent))
    assert await count_titled(data["title"]) == 0


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"title": ', None),  # malformed: the field is the kernel's position of the error
        (b"not json at all", None),
        (b"", None),
        (b"[]", "body"),
        (b'"a string"', "body"),
        (b"null", "body"),
        (b'{"title": "lone \\ud800 surrogate", "description": "d", "category": "other"}', "title"),
        (b'{"title": "t", "description": "\\udfff", "category": "other"}', "description"),
        (b'{"title": "t", "description": "d", "category": "other", "client": "\\ud800"}', "client"),
        (
            b'{"title": "t", "description": "d", "category": "other", "reporter": {"name": "\\ud800"}}',
            "reporter.name",
        ),
        (b'{"title": "t", "description": "d", "category": "\\ud800"}', "category"),
    ],
)
async def test_bodies_that_are_not_an_incident(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], content: bytes, field: str | None
) -> None:
    headers = {**agent, "Content-Type": "application/json"}
    response = await tickets_api.post(INCIDENTS, content=content, headers=headers)
    fields = problem_fields(response)
    if field is None:
        assert response.json()["errors"][0]["location"] == "body"
    else:
        assert fields == [field]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "tab\there"}, "title"),
        ({"description": "x" * 20_001}, "description"),
        ({"description": None}, "description"),
        ({"description": "nul\x00"}, "description"),
        ({"category": None}, "category"),
        ({"category": "no-such-category"}, "category"),
        ({"impact": "extreme"}, "impact"),
        ({"impact": None}, "impact"),
        ({"urgency": None}, "urgency"),
        ({"client": "x" * 65}, "client"),
        ({"order": "x" * 65}, "order"),
        ({"assignee": "bad id"}, "assignee"),
        ({"group": "../group"}, "group"),
        ({"status": "closed"}, "status"),
        ({"priority": "low"}, "priority"),
        ({"reporter": {"name": "x"}}, "reporter"),
    ],
)
async def test_each_bad_field_on_edit_is_named(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    incident: dict[str, Any],
    patch: dict[str, Any],
    field: str,
) -> None:
    response = await edit_incident(tickets_api, agent, incident, **patch)
    assert problem_fields(response) == [field]
    current = await tickets_api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)
    assert current.json()["version"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "nul\x00"}, "body"),
        ({"body": 5}, "body"),
        ({"body": "ok", "visibility": "secret"}, "visibility"),
        ({"body": "ok", "author": "admin1"}, "author"),
    ],
)
async def test_each_bad_field_of_a_comment_is_named(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    incident: dict[str, Any],
    data: dict[str, Any],
    field: str,
) -> None:
    url = f"{INCIDENTS}/{incident['id']}/comments"
    assert problem_fields(await tickets_api.post(url, json=data, headers=agent)) == [field]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"status": ""}, "status"),
        ({"status": "nul\x00"}, "status"),
        ({"status": [f"s{n}" for n in range(21)]}, "status"),
        ({"priority": "x" * 65}, "priority"),
        ({"category": "soft\tware"}, "category"),
        ({"channel": "\x00"}, "channel"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00"}, "q"),
        ({"assignee": "\x00"}, "assignee"),
        ({"group": "a/b"}, "group"),
        ({"client": "\x00"}, "client"),
        ({"client": "x" * 65}, "client"),
        ({"problem": "not-a-uuid"}, "problem"),
        ({"cursor": "x" * 513}, "cursor"),
    ],
)
async def test_each_bad_list_parameter_is_named(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], params: dict[str, Any], field: str
) -> None:
    response = await tickets_api.get(INCIDENTS, params=params, headers=agent)
    fields = problem_fields(response)
    assert fields
    assert {f.split(".")[0] for f in fields} == {field}


def _odd_values(rng: random.Random) -> list[Any]:
    strings = ["", " ", "\x00", "é" * 300, "😀", "'; drop table x; --", "%s%n", "\u202e", "LC-1"]
    return [None, True, 0, -1, 2**63, 1e308, [], {}, [1, "a"], {"a": {"b": []}}, *strings] + [
        "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 80)))
        for _ in range(5)
    ]


async def test_odd_values_in_any_field_never_cause_a_500(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    rng = random.Random(20240611)
    fields = [
        "title",
        "description",
        "category",
        "impact",
        "urgency",
        "channel",
        "reporter",
        "client",
        "order",
        "assignee",
        "group",
    ]
    seen = set()
    for name in fields:
        for value in _odd_values(rng):
            data = valid(**{name: value})
            content = json.dumps(data).encode()
            response = await tickets_api.post(
                INCIDENTS, content=content, headers={**agent, "Content-Type": "application/json"}
            )
            seen.add(response.status_code)
            assert response.status_code in (201, 422), (name, value, response.text)
    assert seen == {201, 422}


async def test_odd_references_never_cause_a_500(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    for reference in (
        "%00",
        "..%2F..",
        "INC-0",
        "INC-" + "9" * 40,
        "%F0%9F%98%80",
        str(uuid.uuid4()),
    ):
        for path in ("", "/comments", "/history", "/transitions", "/attachments"):
            response = await tickets_api.get(f"{INCIDENTS}/{reference}{path}", headers=agent)
            assert response.status_code == 404, (reference, path, response.text)
