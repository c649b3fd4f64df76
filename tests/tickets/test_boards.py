"""Boards on the real stack: the default "My work" board, kanban/list/dashboard layouts, boards
over saved filters, who sees and changes them, and moving cards (workflow transitions, field
edits, refusals that leave the card where it was)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.infra import admin_connection
from tests.support.tokens import TokenShop
from tests.tickets.factories import (
    PROBLEM_JSON,
    directory_user_id,
    edit_incident,
    headers_of,
    open_incident,
    subject_of,
    token,
    unique,
)

BOARDS = "/api/v1/boards"
FILTERS = "/api/v1/filters"
INCIDENTS = "/api/v1/incidents"
STATES = ["new", "in_progress", "waiting_for_reporter", "resolved", "closed"]
PROBLEM_STATES = ["open", "investigating", "known_error", "fixed", "closed"]
CATEGORIES = ["access", "hardware", "software", "network", "billing", "other"]
LIST_COLUMNS = ["key", "title", "status", "priority", "assignee", "updated"]


def mine(word: str) -> str:
    """Only this test's incidents: its word, among the newest (fast on a million rows)."""
    return f"text ~ {word} and created > -1h"


class Made:
    """Boards and filters of one test, deleted through the API when it ends."""

    def __init__(self, api: httpx.AsyncClient, tokens: TokenShop) -> None:
        self.api, self.tokens = api, tokens
        self.paths: list[tuple[str, str]] = []

    async def post(self, path: str, who: str, body: dict[str, Any]) -> httpx.Response:
        response = await self.api.post(path, json=body, headers=await headers_of(self.tokens, who))
        if response.status_code == 201:
            self.paths.append((f"{path}/{response.json()['id']}", who))
        return response

    async def board(self, who: str = "agent1", **body: Any) -> dict[str, Any]:
        response = await self.post(BOARDS, who, {"name": unique("Board"), **body})
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    async def filter(self, who: str = "agent1", **body: Any) -> dict[str, Any]:
        response = await self.post(FILTERS, who, {"name": unique("Filter"), **body})
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    async def clean(self) -> None:
        for path, owner in reversed(self.paths):
            gone = await self.api.delete(path, headers=await headers_of(self.tokens, owner))
            assert gone.status_code in (204, 404), gone.text


@pytest.fixture
async def made(tickets_api: httpx.AsyncClient, tokens: TokenShop) -> AsyncIterator[Made]:
    ours = Made(tickets_api, tokens)
    yield ours
    await ours.clean()


async def cards(api: httpx.AsyncClient, headers: dict[str, str], board: dict[str, Any]) -> Any:
    response = await api.get(f"{BOARDS}/{board['id']}/cards", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def column_keys(contents: dict[str, Any]) -> dict[str, set[str]]:
    return {c["value"]: {card["key"] for card in c["cards"]} for c in contents["columns"]}


def pick(found: dict[str, Any] | httpx.Response, *names: str) -> tuple[Any, ...]:
    """Some members of a JSON object (or of a response's); `status` of a response: its code."""
    if isinstance(found, httpx.Response):
        body = found.json()
        return tuple(found.status_code if n == "code" else body[n] for n in names)
    return tuple(found[n] for n in names)


async def move(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    board: dict[str, Any],
    card: str,
    to: str,
    **fields: str,
) -> httpx.Response:
    body = {"card": card, "to_column": to, "fields": fields}
    return await api.post(f"{BOARDS}/{board['id']}/moves", json=body, headers=headers)


async def status_of(api: httpx.AsyncClient, headers: dict[str, str], of: dict[str, Any]) -> Any:
    response = await api.get(f"{INCIDENTS}/{of['id']}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# ---- the default board -----------------------------------------------------------------------


async def test_my_work_is_made_once_even_under_concurrent_first_calls(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent2")
    answers = await asyncio.gather(*(tickets_api.get(BOARDS, headers=agent) for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    owner = await subject_of(tokens, "agent2")
    defaults = [
        [b for b in a.json() if b["is_default"] and b["owner_id"] == owner] for a in answers
    ]
    assert all(len(found) == 1 for found in defaults), defaults
    assert len({found[0]["id"] for found in defaults}) == 1
    board = defaults[0][0]
    expected = ("My work", "kanban", "incident", "private")
    assert pick(board, "name", "kind", "entity", "scope") == expected
    assert board["query"] == "assignee = me() order by priority desc, updated desc"
    assert board["layout"]["column_field"] == "status"
    connection = await admin_connection()
    try:
        count = await connection.fetchval(
            "select count(*) from tickets.boards where owner_id = $1 and is_default", owner
        )
    finally:
        await connection.close()
    assert count == 1


async def test_my_work_shows_the_workflow_states_with_the_callers_incidents_and_stays(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, agent, impact="high", urgency="high")
    assigned = await edit_incident(
        tickets_api, agent, incident, assignee=await directory_user_id(tickets_api, agent, "agent1")
    )
    assert assigned.status_code == 200, assigned.text
    listed = (await tickets_api.get(BOARDS, headers=agent)).json()
    board = next(b for b in listed if b["is_default"])
    assert listed[0] == board, "the default board comes first"

    contents = await cards(tickets_api, agent, board)
    assert contents["kind"] == "kanban"
    assert [c["value"] for c in contents["columns"]] == STATES
    assert contents["columns"][1]["label"] == "In progress / В работе"
    assert incident["key"] in column_keys(contents)["new"]
    every = [card for column in contents["columns"] for card in column["cards"]]
    assert {card["assignee_username"] for card in every} == {"agent1"}

    kept = await tickets_api.delete(f"{BOARDS}/{board['id']}", headers=agent)
    assert kept.status_code == 409
    assert kept.json()["type"].endswith("/default-board-kept")
    assert (await tickets_api.get(f"{BOARDS}/{board['id']}", headers=agent)).status_code == 200


# ---- kinds and layouts -----------------------------------------------------------------------


async def test_boards_of_each_kind_keep_their_layout(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent = await headers_of(tokens, "agent1")
    kanban = await made.board(kind="kanban", query="status != closed", layout={})
    assert kanban["layout"] == {"column_field": "status", "columns": [], "cards_per_column": 50}
    labelled = await made.board(kind="kanban", layout={"columns": ["Новый", "in progress"]})
    assert labelled["layout"]["columns"] == ["new", "in_progress"], "labels are stored as ids"
    listing = await made.board(kind="list", query="Priority = HIGH")
    assert listing["query"] == "priority = high"
    assert listing["layout"]["columns"] == LIST_COLUMNS

    dashboard = await made.board(kind="dashboard", layout={"url": "/grafana/d/sla"})
    assert dashboard["query"] is None
    link = {"kind": "dashboard", "url": "/grafana/d/sla"}
    assert await cards(tickets_api, agent, dashboard) == link


@pytest.mark.parametrize(
    ("kind", "entity", "layout", "field"),
    [
        ("kanban", "incident", {"cards_per_column": 0}, "layout.cards_per_column"),
        ("kanban", "incident", {"column_field": "title"}, "layout.column_field"),
        ("kanban", "incident", {"colour": "red"}, "layout.colour"),
        ("kanban", "incident", {"columns": ["new", "nope"]}, "layout.columns.1"),
        (
            "kanban",
            "incident",
            {"column_field": "group", "columns": ["\u0000"]},
            "layout.columns.0",
        ),
        ("kanban", "problem", {"column_field": "group"}, "layout.column_field"),
        ("list", "incident", {"columns": ["key", "secret"]}, "layout.columns.1"),
        ("list", "incident", {"columns": []}, "layout.columns"),
        ("dashboard", "incident", {}, "layout.url"),
        ("dashboard", "incident", {"url": "javascript:alert(1)"}, "layout.url"),
        ("dashboard", "incident", {"url": "/grafana/\u0000"}, "layout.url"),
    ],
)
async def test_a_bad_layout_is_refused_naming_its_field(
    tickets_api: httpx.AsyncClient,
    tokens: TokenShop,
    made: Made,
    kind: str,
    entity: str,
    layout: dict[str, Any],
    field: str,
) -> None:
    body = {"name": unique(), "kind": kind, "entity": entity, "layout": layout}
    refused = await made.post(BOARDS, "agent1", body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert [e["field"] for e in refused.json()["errors"]] == [field]

    board = await made.board(
        kind=kind, entity=entity, layout={"url": "/ok"} if kind == "dashboard" else {}
    )
    path = f"{BOARDS}/{board['id']}"
    patched = await tickets_api.patch(
        path, json={"layout": layout}, headers=await headers_of(tokens, "agent1")
    )
    assert patched.status_code == 422
    assert [e["field"] for e in patched.json()["errors"]] == [field]


async def test_a_list_board_answers_a_page_of_rows_and_the_total(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    keys = sorted(
        [(await open_incident(tickets_api, agent, title=f"{word} {i}"))["key"] for i in range(3)]
    )
    board = await made.board(
        kind="list", query=f"{mine(word)} order by key", layout={"columns": ["key", "title"]}
    )
    path = f"{BOARDS}/{board['id']}/cards"
    first = (await tickets_api.get(path, params={"limit": 2}, headers=agent)).json()
    assert (first["kind"], first["columns"], first["total"]) == ("list", ["key", "title"], 3)
    assert [row["key"] for row in first["items"]] == keys[:2]
    rest = (await tickets_api.get(path, params={"limit": 2, "offset": 2}, headers=agent)).json()
    assert ([row["key"] for row in rest["items"]], rest["total"]) == (keys[2:], 3)


# ---- boards over saved filters ---------------------------------------------------------------


async def test_a_board_over_a_filter_follows_it_for_everyone_in_the_boards_scope(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent, other = await headers_of(tokens, "agent1"), await headers_of(tokens, "agent2")
    first, second = token(), token()
    one = await open_incident(tickets_api, agent, title=f"{first} vpn")
    two = await open_incident(tickets_api, agent, title=f"{second} vpn")
    saved = await made.filter(query=mine(first))  # private
    board = await made.board(kind="list", filter_id=saved["id"], scope="everyone")
    assert (board["query"], board["filter_id"]) == (None, saved["id"])
    assert [r["key"] for r in (await cards(tickets_api, agent, board))["items"]] == [one["key"]]

    changed = await tickets_api.patch(
        f"{FILTERS}/{saved['id']}", json={"query": mine(second)}, headers=agent
    )
    assert changed.status_code == 200
    await wait_for_standby()
    assert [r["key"] for r in (await cards(tickets_api, agent, board))["items"]] == [two["key"]]
    assert [r["key"] for r in (await cards(tickets_api, other, board))["items"]] == [two["key"]]
    assert (await tickets_api.get(f"{FILTERS}/{saved['id']}", headers=other)).status_code == 404

    gone = await tickets_api.delete(f"{FILTERS}/{saved['id']}", headers=agent)
    assert gone.status_code == 204
    after = (await tickets_api.get(f"{BOARDS}/{board['id']}", headers=agent)).json()
    assert (after["filter_id"], after["query"]) == (None, mine(second)), "keeps the last query"
    assert [r["key"] for r in (await cards(tickets_api, agent, board))["items"]] == [two["key"]]


async def test_a_board_has_one_source_of_cards(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    saved = await made.filter(query="status = new")
    both = {"name": unique(), "kind": "list", "query": "key = 1", "filter_id": saved["id"]}
    assert (await made.post(BOARDS, "agent1", both)).status_code == 422
    over_problems = await made.filter(entity="problem", query="status = open")
    wrong = await made.post(
        BOARDS, "agent1", {"name": unique(), "kind": "list", "filter_id": over_problems["id"]}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "filter_id"
    board = await made.board(kind="list", query="key = 1")
    patch = {"query": "key = 2", "filter_id": saved["id"]}
    response = await tickets_api.patch(
        f"{BOARDS}/{board['id']}", json=patch, headers=await headers_of(tokens, "agent1")
    )
    assert response.status_code == 422


# ---- scopes ----------------------------------------------------------------------------------


async def test_a_shared_board_is_used_by_its_scope_and_changed_by_its_owner_or_an_admin(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    other, admin = await headers_of(tokens, "agent2"), await headers_of(tokens, "admin1")
    # One incident of the tests' own (the tests' database holds no demo incident 1).
    one = await open_incident(tickets_api, await headers_of(tokens, "agent1"))
    shared = await made.board(kind="list", query=f"key = {one['key']}", scope="everyone")
    private = await made.board(kind="list", query="key = 1")
    for_first_line = await made.board(
        "admin1", kind="list", query="key = 1", scope="group", scope_group="first-line"
    )
    await wait_for_standby()

    seen = {b["id"]: b for b in (await tickets_api.get(BOARDS, headers=other)).json()}
    assert seen[shared["id"]]["editable"] is False
    assert {private["id"], for_first_line["id"]}.isdisjoint(seen)
    assert (await cards(tickets_api, other, shared))["total"] == 1
    for path in (
        f"{BOARDS}/{private['id']}",
        f"{BOARDS}/{private['id']}/cards",
        f"{BOARDS}/{for_first_line['id']}",
    ):
        hidden = await tickets_api.get(path, headers=other)
        assert pick(hidden, "code", "type") == (
            404,
            "https://servicedesk.local/problems/board-not-found",
        )
    member = await headers_of(tokens, "agent1")
    as_member = await tickets_api.get(f"{BOARDS}/{for_first_line['id']}", headers=member)
    assert pick(as_member, "code", "editable") == (200, False)

    path = f"{BOARDS}/{shared['id']}"
    for refused in (
        await tickets_api.patch(path, json={"name": unique()}, headers=other),
        await tickets_api.delete(path, headers=other),
        await tickets_api.patch(
            f"{BOARDS}/{for_first_line['id']}", json={"name": unique()}, headers=member
        ),
    ):
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/not-the-owner")
    renamed = await tickets_api.patch(path, json={"name": unique("Renamed")}, headers=admin)
    assert pick(renamed, "code", "version", "owner_username") == (200, 2, "agent1")
    body = {"name": unique(), "kind": "list", "scope": "group", "scope_group": "first-line"}
    not_mine = await made.post(BOARDS, "agent2", body)
    assert not_mine.status_code == 422
    assert not_mine.json()["errors"][0]["field"] == "scope_group"


async def test_a_reporter_uses_no_board(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    board = await made.board(kind="kanban", query="key = 1", scope="everyone")
    own = await open_incident(tickets_api, reporter)
    await wait_for_standby()
    for response in (
        await tickets_api.get(BOARDS, headers=reporter),
        await tickets_api.post(BOARDS, json={"name": unique(), "kind": "list"}, headers=reporter),
        await tickets_api.get(f"{BOARDS}/{board['id']}/cards", headers=reporter),
        await move(tickets_api, reporter, board, own["id"], "in_progress"),
    ):
        assert response.status_code == 403, response.text
    assert (await tickets_api.get(BOARDS)).status_code == 401


# ---- moving cards ----------------------------------------------------------------------------


async def test_moving_a_card_between_status_columns_runs_the_workflow(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    card = await open_incident(tickets_api, agent, title=f"{word} printer")
    other = await open_incident(tickets_api, agent, title=f"{word} scanner")
    board = await made.board(kind="kanban", query=mine(word))

    started = await move(tickets_api, agent, board, card["key"], "in_progress")
    assert started.status_code == 200, started.text
    assert pick(started, "status", "version") == ("in_progress", card["version"] + 1)
    history = (await tickets_api.get(f"{INCIDENTS}/{card['id']}/history", headers=agent)).json()
    last = [(h["old_value"], h["new_value"], h["note"]) for h in history if h["field"] == "status"]
    assert last[-1] == ("new", "in_progress", "transition start")

    missing = await move(tickets_api, agent, board, card["id"], "resolved")
    assert missing.status_code == 422, missing.text
    assert missing.json()["type"].endswith("/transition-fields-missing")
    assert [e["field"] for e in missing.json()["errors"]] == ["fields.resolution"]
    garbled = await move(tickets_api, agent, board, card["id"], "resolved", resolution="a\u0000b")
    assert garbled.status_code == 422, garbled.text
    assert garbled.json()["errors"][0]["field"] == "fields.resolution"
    unknown = await move(tickets_api, agent, board, card["id"], "nowhere")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "to_column")
    assert (await status_of(tickets_api, agent, card))["status"] == "in_progress"

    resolved = await move(tickets_api, agent, board, card["id"], "resolved", resolution="Toner")
    assert pick(resolved, "code", "status", "resolution") == (200, "resolved", "Toner")

    refused = await move(tickets_api, agent, board, other["id"], "closed")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/move-refused")
    assert (refused.json()["from_status"], refused.json()["to_status"]) == ("new", "closed")
    assert (await status_of(tickets_api, agent, other))["version"] == other["version"]
    already = await move(tickets_api, agent, board, other["id"], "new")
    assert (already.status_code, already.json()["type"].split("/")[-1]) == (409, "move-refused")

    contents = await cards(tickets_api, agent, board)
    assert pick(column_keys(contents), *STATES) == (
        {other["key"]},
        set(),
        set(),
        {card["key"]},
        set(),
    )
    assert [c["total"] for c in contents["columns"]] == [1, 0, 0, 1, 0]


async def test_moving_between_category_columns_edits_the_category(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    card = await open_incident(tickets_api, agent, title=f"{word} laptop", category="software")
    board = await made.board(kind="kanban", query=mine(word), layout={"column_field": "category"})
    contents = await cards(tickets_api, agent, board)
    assert [c["value"] for c in contents["columns"]] == CATEGORIES
    assert column_keys(contents)["software"] == {card["key"]}

    moved = await move(tickets_api, agent, board, card["id"], "hardware")
    assert moved.status_code == 200, moved.text
    assert (moved.json()["category"], moved.json()["status"]) == ("hardware", "new")
    assert column_keys(await cards(tickets_api, agent, board))["hardware"] == {card["key"]}
    for bad in ("nope", "hard\u0001ware", "x" * 70):
        refused = await move(tickets_api, agent, board, card["id"], bad)
        assert refused.status_code == 422, (bad, refused.text)
    assert (await status_of(tickets_api, agent, card))["category"] == "hardware"


async def test_moving_between_priority_columns_is_refused_with_the_reason(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    card = await open_incident(tickets_api, agent, title=f"{word} tel", impact="low", urgency="low")
    board = await made.board(kind="kanban", query=mine(word), layout={"column_field": "priority"})
    assert column_keys(await cards(tickets_api, agent, board))["low"] == {card["key"]}
    refused = await move(tickets_api, agent, board, card["id"], "critical")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/move-refused")
    assert "impact × urgency" in refused.json()["detail"]
    assert (await status_of(tickets_api, agent, card))["priority"] == "low"


async def test_only_a_supervisor_moves_a_problem_card_to_closed_closing_its_incidents(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, made: Made
) -> None:
    agent, supervisor = await headers_of(tokens, "agent1"), await headers_of(tokens, "supervisor1")
    incident = await open_incident(tickets_api, agent)
    found = await tickets_api.get(f"/api/v1/problems/{incident['problem_id']}", headers=agent)
    problem, query = found.json(), f"key = {found.json()['key']}"
    board = await made.board(
        "supervisor1", kind="kanban", entity="problem", query=query, scope="everyone"
    )
    await wait_for_standby()
    contents = await cards(tickets_api, agent, board)
    assert [c["value"] for c in contents["columns"]] == PROBLEM_STATES
    assert column_keys(contents)["open"] == {problem["key"]}

    investigating = await move(tickets_api, agent, board, problem["key"], "investigating")
    assert (investigating.status_code, investigating.json()["status"]) == (200, "investigating")
    forbidden = await move(tickets_api, agent, board, problem["key"], "closed", resolution="Fixed")
    assert forbidden.status_code == 403
    assert forbidden.json()["type"].endswith("/move-forbidden")
    assert forbidden.json()["required_roles"] == ["supervisor"]
    missing = await move(tickets_api, supervisor, board, problem["id"], "closed")
    assert missing.status_code == 422
    await wait_for_standby()
    still = await cards(tickets_api, supervisor, board)
    assert column_keys(still)["investigating"] == {problem["key"]}

    closed = await move(tickets_api, supervisor, board, problem["id"], "closed", resolution="Fix")
    assert pick(closed, "code", "status", "incident_count") == (200, "closed", 1)
    assert closed.json()["closed_at"] is not None
    after = await status_of(tickets_api, supervisor, incident)
    assert pick(after, "status", "resolution") == ("closed", "Fix")
