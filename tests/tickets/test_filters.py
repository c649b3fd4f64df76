"""Saved filters on the real stack: canonical text, unique names per owner, who sees, uses and
changes a filter of each scope, sharing rules, counts and pages of results, who may call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.tokens import TokenShop
from tests.tickets.factories import PROBLEM_JSON, headers_of, open_incident, token, unique

FILTERS = "/api/v1/filters"
NOBODY_ELSE = ("agent2", "supervisor1", "admin1")


def mine(word: str) -> str:
    """Only this test's incidents: its word, among the newest (fast on a million rows)."""
    return f"text ~ {word} and created > -1h"


class Filters:
    """Creates filters and deletes what is left of them when the test ends."""

    def __init__(self, api: httpx.AsyncClient, tokens: TokenShop) -> None:
        self.api, self.tokens = api, tokens
        self.made: list[tuple[str, str]] = []

    async def create(self, who: str, **body: Any) -> httpx.Response:
        body = {"name": unique("Filter"), "query": "", **body}
        response = await self.api.post(
            FILTERS, json=body, headers=await headers_of(self.tokens, who)
        )
        if response.status_code == 201:
            self.made.append((response.json()["id"], who))
        return response

    async def made_by(self, who: str, **body: Any) -> dict[str, Any]:
        response = await self.create(who, **body)
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    async def clean(self) -> None:
        for filter_id, owner in self.made:
            headers = await headers_of(self.tokens, owner)
            gone = await self.api.delete(f"{FILTERS}/{filter_id}", headers=headers)
            assert gone.status_code in (204, 404), gone.text


@pytest.fixture
async def filters(tickets_api: httpx.AsyncClient, tokens: TokenShop) -> AsyncIterator[Filters]:
    made = Filters(tickets_api, tokens)
    yield made
    await made.clean()


async def test_a_filter_is_stored_with_its_query_in_canonical_text(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    agent = await headers_of(tokens, "agent1")
    name = unique("Горящие")
    response = await filters.create(
        "agent1", name=f"  {name} ", query='Status = "В работе" AND priority >= HIGH'
    )
    assert response.status_code == 201, response.text
    saved = response.json()
    assert response.headers["location"] == f"{FILTERS}/{saved['id']}"
    assert saved["query"] == "status = in_progress and priority >= high"
    assert (saved["name"], saved["owner_username"], saved["entity"]) == (name, "agent1", "incident")
    assert (saved["scope"], saved["scope_group"], saved["version"]) == ("private", None, 1)
    assert saved["editable"] is True
    read = await tickets_api.get(f"{FILTERS}/{saved['id']}", headers=agent)
    assert read.json() == saved

    patched = await tickets_api.patch(
        f"{FILTERS}/{saved['id']}", json={"query": "assignee = ME() order by Key"}, headers=agent
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["query"], patched.json()["version"]) == (
        "assignee = me() order by key asc",
        2,
    )


async def test_names_are_unique_per_owner(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    name = unique("Мои")
    await filters.made_by("agent1", name=name)
    taken = await filters.create("agent1", name=name, query="status = new")
    assert taken.status_code == 409, taken.text
    assert taken.headers["content-type"] == PROBLEM_JSON
    body = taken.json()
    assert body["type"].endswith("/name-taken")
    assert name in body["detail"]
    assert body["errors"] == [{"field": "name", "location": "body", "reason": "taken"}]
    await filters.made_by("agent2", name=name)  # another owner may use the name

    other = await filters.made_by("agent1")
    renamed = await tickets_api.patch(
        f"{FILTERS}/{other['id']}", json={"name": name}, headers=await headers_of(tokens, "agent1")
    )
    assert renamed.status_code == 409
    assert renamed.json()["errors"][0]["field"] == "name"


async def test_of_concurrent_creations_under_one_name_one_wins_and_the_others_are_409(
    filters: Filters,
) -> None:
    name = unique("Гонка")
    await headers_of(filters.tokens, "agent1")  # logged in once, before the race
    answers = await asyncio.gather(*(filters.create("agent1", name=name) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert all(a.json()["type"].endswith("/name-taken") for a in answers if a.status_code == 409)


async def test_a_bad_query_is_refused_with_its_place(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    refused = await filters.create("agent1", query="status = new and prio = high")
    assert refused.status_code == 400
    body = refused.json()
    assert body["type"].endswith("/invalid-query")
    assert (body["field"], body["position"], body["column"]) == ("query", 17, 18)
    assert body["suggestions"][0] == "priority"

    kept = await filters.made_by("agent1", query="status = new")
    agent = await headers_of(tokens, "agent1")
    bad = await tickets_api.patch(
        f"{FILTERS}/{kept['id']}", json={"query": "status = neww"}, headers=agent
    )
    assert bad.status_code == 400
    assert bad.json()["suggestions"] == ["new"]
    read = await tickets_api.get(f"{FILTERS}/{kept['id']}", headers=agent)
    assert (read.json()["query"], read.json()["version"]) == ("status = new", 1)


# scope (of agent1's filter) → viewer → (listed, GET, PATCH, DELETE)
MATRIX: dict[tuple[str, str], tuple[bool, int, int, int]] = {
    ("private", "agent1"): (True, 200, 200, 204),
    ("private", "agent2"): (False, 404, 404, 404),
    ("private", "supervisor1"): (False, 404, 404, 404),
    ("private", "admin1"): (False, 200, 200, 204),
    ("group", "agent1"): (True, 200, 200, 204),
    ("group", "agent2"): (False, 404, 404, 404),
    ("group", "supervisor1"): (False, 404, 404, 404),
    ("group", "admin1"): (False, 200, 200, 204),
    ("everyone", "agent1"): (True, 200, 200, 204),
    ("everyone", "agent2"): (True, 200, 403, 403),
    ("everyone", "supervisor1"): (True, 200, 403, 403),
    ("everyone", "admin1"): (True, 200, 200, 204),
}


@pytest.mark.parametrize(("scope", "viewer"), list(MATRIX))
async def test_who_lists_uses_and_changes_a_filter_of_each_scope(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters, scope: str, viewer: str
) -> None:
    listed, read_status, patch_status, delete_status = MATRIX[scope, viewer]
    group = "first-line" if scope == "group" else None
    saved = await filters.made_by("agent1", scope=scope, scope_group=group, query="key = 1")
    await wait_for_standby()  # another user's reads may go to the standby
    headers = await headers_of(tokens, viewer)
    path = f"{FILTERS}/{saved['id']}"

    everything = await tickets_api.get(FILTERS, headers=headers)
    assert everything.status_code == 200
    assert (saved["id"] in {f["id"] for f in everything.json()}) is listed
    read = await tickets_api.get(path, headers=headers)
    assert read.status_code == read_status, read.text
    if read_status == 200:
        assert read.json()["editable"] is (patch_status == 200)
        results = await tickets_api.get(f"{path}/results", headers=headers)
        assert results.status_code == 200, "everyone in scope uses it"
    else:
        assert read.json()["type"].endswith("/filter-not-found")
        results = await tickets_api.get(f"{path}/results", headers=headers)
        assert results.status_code == 404

    patched = await tickets_api.patch(path, json={"name": unique("Renamed")}, headers=headers)
    assert patched.status_code == patch_status, patched.text
    deleted = await tickets_api.delete(path, headers=headers)
    assert deleted.status_code == delete_status, deleted.text
    if 403 in (patch_status, delete_status):
        assert patched.json()["type"].endswith("/not-the-owner")
        assert deleted.json()["type"].endswith("/not-the-owner")
    await wait_for_standby()  # the owner reads what another user changed
    owner = await headers_of(tokens, "agent1")
    still = await tickets_api.get(path, headers=owner)
    assert still.status_code == (404 if delete_status == 204 else 200)
    if still.status_code == 200:
        assert still.json()["name"] == saved["name"]
        assert still.json()["version"] == 1


async def test_an_admin_shares_with_any_group_and_its_members_use_it_without_changing_it(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    saved = await filters.made_by("admin1", scope="group", scope_group="first-line")
    await wait_for_standby()
    path = f"{FILTERS}/{saved['id']}"
    member = await headers_of(tokens, "agent1")
    assert saved["id"] in {f["id"] for f in (await tickets_api.get(FILTERS, headers=member)).json()}
    read = await tickets_api.get(path, headers=member)
    assert (read.status_code, read.json()["editable"]) == (200, False)
    refused = await tickets_api.patch(path, json={"scope": "private"}, headers=member)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/not-the-owner")
    outsider = await headers_of(tokens, "agent2")
    assert (await tickets_api.get(path, headers=outsider)).status_code == 404

    admin = await headers_of(tokens, "admin1")
    moved = await tickets_api.patch(path, json={"scope_group": "second-line"}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["scope"], moved.json()["scope_group"]) == ("group", "second-line")


@pytest.mark.parametrize(
    ("who", "scope", "group", "reason"),
    [
        ("agent2", "group", "first-line", "you may share only with your groups: second-line"),
        ("agent1", "group", "supervisors", "you may share only with your groups: first-line"),
        ("admin1", "group", "no-such-group", "you may share only with your groups"),
        ("agent1", "group", None, "a group scope needs the group's name"),
        ("agent1", "everyone", "first-line", "only a group scope names a group"),
        ("agent1", "private", "first-line", "only a group scope names a group"),
    ],
)
async def test_sharing_outside_ones_groups_is_refused_naming_scope_group(
    filters: Filters, who: str, scope: str, group: str | None, reason: str
) -> None:
    refused = await filters.create(who, scope=scope, scope_group=group)
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert [e["field"] for e in errors] == ["scope_group"]
    assert errors[0]["reason"].startswith(reason)


async def test_unsharing_by_patch_clears_the_group(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    saved = await filters.made_by("agent1", scope="group", scope_group="first-line")
    agent = await headers_of(tokens, "agent1")
    path = f"{FILTERS}/{saved['id']}"
    private = await tickets_api.patch(path, json={"scope": "private"}, headers=agent)
    assert (private.json()["scope"], private.json()["scope_group"]) == ("private", None)
    elsewhere = await tickets_api.patch(
        path, json={"scope": "group", "scope_group": "x"}, headers=agent
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "scope_group"


async def test_counts_and_pages_of_results_are_those_of_the_query(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, filters: Filters
) -> None:
    agent = await headers_of(tokens, "agent1")
    word = token()
    made = [await open_incident(tickets_api, agent, title=f"{word} mail {i}") for i in range(3)]
    keys = sorted(i["key"] for i in made)
    saved = await filters.made_by("agent1", query=f"{mine(word)} order by key")
    empty = await filters.made_by("agent1", query=f"{mine(token())}")

    counts = await tickets_api.get(f"{FILTERS}/counts", headers=agent)
    assert counts.status_code == 200, counts.text
    by_id = {c["id"]: c for c in counts.json()}
    assert by_id[saved["id"]] == {
        "id": saved["id"],
        "name": saved["name"],
        "count": 3,
        "capped": False,
    }
    assert by_id[empty["id"]]["count"] == 0

    path = f"{FILTERS}/{saved['id']}/results"
    first = await tickets_api.get(path, params={"limit": 2}, headers=agent)
    second = await tickets_api.get(path, params={"limit": 2, "offset": 2}, headers=agent)
    assert [i["key"] for i in first.json()["items"]] == keys[:2]
    assert [i["key"] for i in second.json()["items"]] == keys[2:]
    assert first.json()["total"] == second.json()["total"] == 3
    too_big = await tickets_api.get(path, params={"limit": 201}, headers=agent)
    assert too_big.status_code == 422

    grouped = await filters.made_by("agent1", query=f"{mine(word)} group by status")
    results = await tickets_api.get(f"{FILTERS}/{grouped['id']}/results", headers=agent)
    assert results.json()["groups"] == [{"value": "new", "count": 3}]


async def _calls(api: httpx.AsyncClient, headers: dict[str, str], filter_id: str) -> list[Any]:
    path = f"{FILTERS}/{filter_id}"
    return [
        await api.get(FILTERS, headers=headers),
        await api.get(f"{FILTERS}/counts", headers=headers),
        await api.post(FILTERS, json={"name": unique(), "query": ""}, headers=headers),
        await api.get(path, headers=headers),
        await api.patch(path, json={"name": unique()}, headers=headers),
        await api.delete(path, headers=headers),
        await api.get(f"{path}/results", headers=headers),
    ]


@pytest.mark.parametrize(("who", "status"), [("reporter1", 403), (None, 401)])
async def test_reporters_and_anonymous_callers_use_no_filter_endpoint(
    tickets_api: httpx.AsyncClient,
    tokens: TokenShop,
    filters: Filters,
    who: str | None,
    status: int,
) -> None:
    shared = await filters.made_by("agent1", scope="everyone")
    await wait_for_standby()
    for response in await _calls(tickets_api, await headers_of(tokens, who), shared["id"]):
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
    owner = await headers_of(tokens, "agent1")
    read = await tickets_api.get(f"{FILTERS}/{shared['id']}", headers=owner)
    assert (read.status_code, read.json()["version"]) == (200, 1)
