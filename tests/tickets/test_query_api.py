"""The query endpoints on the real stack: running queries (exactly our incidents, counts per
value, a reporter's own only), errors with their place and suggestions, text ⇄ builder model
over HTTP, completion, and random text that never breaks the service."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.legacy.conftest import wait_for_standby
from tests.support.tokens import TokenShop
from tests.tickets.factories import PROBLEM_JSON, headers_of, open_incident, token

QUERY = "/api/v1/query"


def mine(word: str) -> str:
    """Only this test's incidents: its word, among the newest (fast on a million rows)."""
    return f"text ~ {word} and created > -1h"


async def run(
    api: httpx.AsyncClient, headers: dict[str, str], q: str, **params: Any
) -> dict[str, Any]:
    response = await api.get(QUERY, params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def ours(
    api: httpx.AsyncClient, headers: dict[str, str], word: str, n: int, **fields: Any
) -> list[dict[str, Any]]:
    return [
        await open_incident(api, headers, title=f"{word} printer {i}", **fields) for i in range(n)
    ]


async def test_a_query_returns_exactly_our_incidents_in_its_order(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    made = await ours(tickets_api, agent, word, 3)
    other = await open_incident(tickets_api, agent, title=f"{word} screen", category="hardware")

    everything = await run(tickets_api, agent, f"{mine(word)} order by key desc")
    keys = [i["key"] for i in [*made, other]]
    assert [i["key"] for i in everything["items"]] == sorted(keys, reverse=True)
    assert (everything["total"], everything["capped"], everything["groups"]) == (4, False, None)

    hardware = await run(tickets_api, agent, f"{mine(word)} and category = Оборудование")
    assert [i["key"] for i in hardware["items"]] == [other["key"]]
    assert hardware["total"] == 1
    listed = f"key in ({made[0]['key'].lower()}, {made[2]['number']})"
    assert {i["key"] for i in (await run(tickets_api, agent, listed))["items"]} == {
        made[0]["key"],
        made[2]["key"],
    }
    second_page = await run(tickets_api, agent, f"{mine(word)} order by key", limit=2, offset=2)
    assert [i["key"] for i in second_page["items"]] == sorted(keys)[2:]
    assert second_page["total"] == 4


async def test_group_by_answers_the_count_per_value(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    made = await ours(tickets_api, agent, word, 3)
    started = await tickets_api.post(
        f"/api/v1/incidents/{made[0]['id']}/transitions",
        json={"transition": "start"},
        headers=agent,
    )
    assert started.status_code == 200, started.text

    by_status = await run(tickets_api, agent, f"{mine(word)} group by status")
    assert by_status["groups"] == [
        {"value": "new", "count": 2},
        {"value": "in_progress", "count": 1},
    ]
    assert by_status["total"] == 3
    by_assignee = await run(tickets_api, agent, f"{mine(word)} group by assignee")
    assert by_assignee["groups"] == [
        {"value": None, "count": 2},
        {"value": "agent1", "count": 1},  # taking it assigned the taker
    ]


@pytest.mark.parametrize(
    ("q", "position", "line", "column", "suggestion", "said"),
    [
        ("prio = high", 0, 1, 1, "priority", 'unknown field "prio" at column 1 — did you mean'),
        ("status = neww", 9, 1, 10, "new", 'unknown status "neww" at column 10 — did you mean'),
        ('status = "В рабте"', 9, 1, 10, "in_progress", 'did you mean "in_progress"'),
        ("(status = new", 0, 1, 1, None, 'unbalanced parentheses: this "(" is never closed'),
        ("status = new and (priority = high", 17, 1, 18, None, "unbalanced parentheses"),
        ("status = new\nand prio = high", 17, 2, 5, "priority", "at line 2, column 5"),
        ("priority high", 9, 1, 10, "=", "expected an operator"),
    ],
)
async def test_a_bad_query_is_a_400_problem_naming_its_place(
    tickets_api: httpx.AsyncClient,
    tokens: TokenShop,
    q: str,
    position: int,
    line: int,
    column: int,
    suggestion: str | None,
    said: str,
) -> None:
    agent = await headers_of(tokens, "agent1")
    response = await tickets_api.get(QUERY, params={"q": q}, headers=agent)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"].endswith("/invalid-query")
    assert (body["field"], body["position"], body["line"], body["column"]) == (
        "q",
        position,
        line,
        column,
    )
    assert said in body["detail"]
    assert body["suggestions"][:1] == ([] if suggestion is None else [suggestion])

    parsed = await tickets_api.post(f"{QUERY}/parse", json={"text": q}, headers=agent)
    assert parsed.status_code == 400
    assert (parsed.json()["field"], parsed.json()["position"]) == ("text", position)


ROUND_TRIPS = [
    ('status = "В работе"', "status = in_progress"),
    ('STATUS = "in progress" AND priority >= HIGH', "status = in_progress and priority >= high"),
    (
        'status in (new, "В работе", "Ожидает ответа заявителя") order by priority DESC',
        "status in (new, in_progress, waiting_for_reporter) order by priority desc",
    ),
    (
        "category = Оборудование or key = inc-7 and not assignee = me()",
        "category = hardware or (key = INC-000007 and not assignee = me())",
    ),
    (
        'title ~ "and" and created > -7d and reporter ~ "Иван \\"Ваня\\""',
        'title ~ "and" and created > -7d and reporter ~ "Иван \\"Ваня\\""',
    ),
    ("group in my_groups() group by assignee", "group in my_groups() group by assignee"),
    ("", ""),
]


@pytest.mark.parametrize(("written", "canonical"), ROUND_TRIPS)
async def test_text_and_builder_model_round_trip_over_http(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, written: str, canonical: str
) -> None:
    agent = await headers_of(tokens, "agent1")
    parsed = await tickets_api.post(f"{QUERY}/parse", json={"text": written}, headers=agent)
    assert parsed.status_code == 200, parsed.text
    assert parsed.json()["text"] == canonical
    model = parsed.json()["query"]
    assert model["entity"] == "incident"

    rendered = await tickets_api.post(f"{QUERY}/render", json=model, headers=agent)
    assert rendered.status_code == 200, rendered.text
    assert rendered.json() == {"text": canonical, "query": model}
    again = await tickets_api.post(f"{QUERY}/parse", json={"text": canonical}, headers=agent)
    assert again.json()["query"] == model, "the canonical text reads back as the same model"


async def test_the_builder_model_of_a_russian_label_holds_the_state_id(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    body = {"text": 'status = "В работе"'}
    model = (await tickets_api.post(f"{QUERY}/parse", json=body, headers=agent)).json()["query"]
    assert model["where"] == {
        "kind": "comparison",
        "field": "status",
        "op": "=",
        "value": {"kind": "text", "value": "in_progress"},
    }
    # The builder may post labels too: checked and made canonical like text.
    model["where"]["value"]["value"] = "В работе"
    rendered = await tickets_api.post(f"{QUERY}/render", json=model, headers=agent)
    assert rendered.json()["text"] == "status = in_progress"

    model["where"]["field"] = "prio"
    bad = await tickets_api.post(f"{QUERY}/render", json=model, headers=agent)
    assert bad.status_code == 400
    assert bad.json()["suggestions"][0] == "priority"
    model["where"]["op"] = "in"  # `in` takes a list: not even a model
    assert (await tickets_api.post(f"{QUERY}/render", json=model, headers=agent)).status_code == 422


async def _complete(api: httpx.AsyncClient, headers: dict[str, str], q: str) -> list[Any]:
    response = await api.get(f"{QUERY}/complete", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found


async def test_completion_suggests_what_may_come_at_the_cursor(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")

    start = await _complete(tickets_api, agent, "")
    fields = {s["text"] for s in start if s["kind"] == "field"}
    assert {"status", "priority", "assignee", "text", "sla_breached"} <= fields
    assert {(s["start"], s["end"]) for s in start} == {(0, 0)}
    assert {s["text"] for s in await _complete(tickets_api, agent, "pri")} == {"priority"}

    after_field = await _complete(tickets_api, agent, "status ")
    assert [s["text"] for s in after_field if s["kind"] == "operator"] == [
        "=",
        "!=",
        "in",
        "not in",
    ]
    statuses = await _complete(tickets_api, agent, "status = ")
    values = {s["text"]: s["label"] for s in statuses if s["kind"] == "value"}
    assert list(values) == ["new", "in_progress", "waiting_for_reporter", "resolved", "closed"]
    assert values["in_progress"] == "In progress / В работе"
    typed = await _complete(tickets_api, agent, 'status = "В р')
    assert [(s["text"], s["start"], s["end"]) for s in typed] == [("in_progress", 9, 13)]

    users = await _complete(tickets_api, agent, "assignee = ")
    usernames = {s["text"] for s in users if s["kind"] == "value"}
    assert {"agent1", "agent2", "supervisor1"} <= usernames
    assert "reporter1" not in usernames, "only agents are assignable"
    assert {"me()"} == {s["text"] for s in users if s["kind"] == "function"}
    some = await _complete(tickets_api, agent, "assignee = agen")
    assert {s["text"] for s in some if s["kind"] == "value"} == {"agent1", "agent2"}
    assert {(s["start"], s["end"]) for s in some} == {(11, 15)}


async def test_a_reporter_runs_queries_over_their_own_incidents_only(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    reporter = await headers_of(tokens, "reporter1")
    word = token()
    own = await ours(tickets_api, reporter, word, 2)
    theirs = await ours(tickets_api, agent, word, 1)

    seen = await run(tickets_api, reporter, f"{mine(word)} group by status")
    assert {i["key"] for i in seen["items"]} == {i["key"] for i in own}
    assert seen["total"] == 2
    assert seen["groups"] == [{"value": "new", "count": 2}]
    assert (await run(tickets_api, reporter, f"key = {theirs[0]['key']}"))["total"] == 0
    problems = await run(tickets_api, reporter, "", entity="problem")
    assert (problems["items"], problems["total"]) == ([], 0)
    await wait_for_standby()  # the agent reads what the reporter wrote
    staff = await run(tickets_api, agent, mine(word))
    assert {i["key"] for i in staff["items"]} == {i["key"] for i in own + theirs}


async def test_the_query_endpoints_need_a_token(tickets_api: httpx.AsyncClient) -> None:
    for response in (
        await tickets_api.get(QUERY, params={"q": ""}),
        await tickets_api.post(f"{QUERY}/parse", json={"text": ""}),
        await tickets_api.get(f"{QUERY}/complete", params={"q": ""}),
    ):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM_JSON


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(q=st.text(max_size=60), entity=st.sampled_from(["incident", "problem"]))
async def test_random_text_is_answered_200_or_400_never_5xx(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, q: str, entity: str
) -> None:
    agent = await headers_of(tokens, "agent1")
    response = await tickets_api.get(
        QUERY, params={"q": q, "entity": entity, "limit": 5}, headers=agent
    )
    assert response.status_code in (200, 400), (q, response.text)
    if response.status_code == 400:
        body = response.json()
        assert body["type"].endswith("/invalid-query")
        assert 0 <= body["position"] <= len(q)
    completed = await tickets_api.get(f"{QUERY}/complete", params={"q": q}, headers=agent)
    assert completed.status_code == 200, (q, completed.text)
