"""Reading incidents: by id or key, what a reporter may see, list filters, keyset paging,
full-text search in Russian and English (comments included), and comments themselves."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.tokens import TokenShop
from tests.tickets.factories import (
    INCIDENTS,
    PROBLEM_JSON,
    comment,
    directory_group_id,
    directory_user_id,
    headers_of,
    open_incident,
    search,
    subject_of,
    token,
)


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


def cursor_of(*key: object) -> str:
    raw = json.dumps({"k": "incidents-newest", "v": list(key)}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ---- one incident ---------------------------------------------------------------------------


async def test_by_id_and_by_key(tickets_api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    incident = await open_incident(tickets_api, agent)
    key = incident["key"]
    for reference in (incident["id"], key, key.lower(), str(incident["number"])):
        found = await tickets_api.get(f"{INCIDENTS}/{reference}", headers=agent)
        assert found.status_code == 200, reference
        assert found.json() == incident
        assert found.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    "reference",
    [
        str(uuid.uuid4()),
        "INC-999999999999",
        "INC-99999999999999999999",  # beyond a bigint
        "INC-²",  # a digit to str.isdigit, not to int()
        "INC-١٢",
        "INC-",
        "PRB-000001",
        "nothing",
    ],
)
async def test_unknown_or_odd_references_are_404(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], reference: str
) -> None:
    response = await tickets_api.get(f"{INCIDENTS}/{reference}", headers=agent)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"].endswith("/incident-not-found")


async def test_a_reporter_sees_their_own_incidents_only(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    reporter: dict[str, str],
    tokens: TokenShop,
) -> None:
    word = token()
    own = await open_incident(tickets_api, reporter, title=f"Mine {word}")
    for_them = await open_incident(
        tickets_api,
        agent,
        title=f"Opened for them {word}",
        reporter={"user_id": await subject_of(tokens, "reporter1")},
    )
    other = await open_incident(tickets_api, agent, title=f"Not theirs {word}")
    await wait_for_standby()  # the reporter reads the standby: the agent's writes must be there

    for incident in (own, for_them):
        found = await tickets_api.get(f"{INCIDENTS}/{incident['key']}", headers=reporter)
        assert found.status_code == 200, found.text
    for reference in (other["id"], other["key"]):
        hidden = await tickets_api.get(f"{INCIDENTS}/{reference}", headers=reporter)
        assert hidden.status_code == 404, "another's incident does not exist for them"
    assert ids(await search(tickets_api, reporter, word)) == {own["id"], for_them["id"]}
    assert ids(await search(tickets_api, agent, word)) == {own["id"], for_them["id"], other["id"]}
    page = (await tickets_api.get(INCIDENTS, headers=reporter)).json()["items"]
    reporter_id = await subject_of(tokens, "reporter1")
    assert page
    assert all(item["reporter_id"] == reporter_id for item in page)


# ---- lists ----------------------------------------------------------------------------------


async def test_list_filters(tickets_api: httpx.AsyncClient, agent: dict[str, str]) -> None:
    word = token()
    agent1 = await directory_user_id(tickets_api, agent, "agent1")
    agent2 = await directory_user_id(tickets_api, agent, "agent2")
    group = await directory_group_id(tickets_api, agent, "first-line")
    mine = await open_incident(
        tickets_api,
        agent,
        title=f"Mine {word}",
        category="network",
        impact="high",
        urgency="medium",
        assignee=agent1,
        group=group,
        channel="email",
    )
    nobodys = await open_incident(tickets_api, agent, title=f"Nobody's {word}", urgency="low")
    started = await open_incident(tickets_api, agent, title=f"Theirs {word}", assignee=agent2)
    moved = await tickets_api.post(
        f"{INCIDENTS}/{started['id']}/transitions", json={"transition": "start"}, headers=agent
    )
    assert moved.status_code == 200, moved.text
    everything = {mine["id"], nobodys["id"], started["id"]}

    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, everything),
        ({"status": "new"}, {mine["id"], nobodys["id"]}),
        ({"status": "in_progress"}, {started["id"]}),
        ({"status": ["new", "in_progress"]}, everything),
        ({"status": "closed"}, set()),
        ({"assignee": "me"}, {mine["id"]}),
        ({"assignee": "none"}, {nobodys["id"]}),
        ({"assignee": "agent2"}, {started["id"]}),
        ({"priority": "high"}, {mine["id"]}),
        ({"priority": ["low", "medium"]}, {nobodys["id"], started["id"]}),
        ({"category": "software"}, {nobodys["id"], started["id"]}),
        ({"category": "network", "priority": "low"}, set()),
        ({"channel": "email"}, {mine["id"]}),
        ({"problem": mine["problem_id"]}, {mine["id"]}),
        ({"group": group}, {mine["id"]}),
        ({"group": group, "status": "in_progress"}, set()),
    ]
    for params, expected in cases:
        assert ids(await search(tickets_api, agent, word, **params)) == expected, params


async def test_keyset_pages_have_no_duplicates_and_no_gaps(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    word = token()
    made = [await open_incident(tickets_api, agent, title=f"Page {n} {word}") for n in range(5)]
    seen: list[dict[str, Any]] = []
    sizes = []
    params: dict[str, Any] = {"q": word, "limit": 2}
    for _ in range(5):
        response = await tickets_api.get(INCIDENTS, params=params, headers=agent)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        sizes.append(len(page["items"]))
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sizes == [2, 2, 1]
    assert [i["id"] for i in seen] == [i["id"] for i in reversed(made)], "newest first, once each"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "e30",  # {}
        cursor_of("2024-01-01T00:00:00+00:00"),  # one value short
        cursor_of("yesterday", str(uuid.uuid4())),
        cursor_of("2024-01-01T00:00:00", str(uuid.uuid4())),  # no time zone
        cursor_of("2024-01-01T00:00:00+00:00", "not-a-uuid"),
        cursor_of(["2024"], {"id": 1}),
        base64.urlsafe_b64encode(b'{"k":"problems-newest","v":[1,2]}').decode(),
    ],
)
async def test_bad_cursors_are_422(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], cursor: str
) -> None:
    response = await tickets_api.get(INCIDENTS, params={"cursor": cursor}, headers=agent)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


# ---- full-text search -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "query", "found"),
    [
        ("Принтеры не печатают", "принтер", True),  # Russian morphology
        ("Принтеры не печатают", "печатать", True),
        ("Принтер сломан", "принтеры", True),
        ("Принтеры не печатают", "сканер", False),
        ("The printer prints blank pages", "printing", True),  # English stems
        ("The printer prints blank pages", "printers", True),
        ("The printer prints blank pages", "scanner", False),
        ("Printer jammed", "printing", False),  # English stems: printer and print differ
        ("Зелёный экран при входе", "зеленый", True),  # ё and е are one letter to search
        ("Елка не зажигается", "ёлка", True),
        ("Пароль не подходит", '"не подходит"', True),  # websearch syntax: a phrase
        ("Пароль не подходит", "пароль -подходит", False),  # and exclusion
    ],
)
async def test_full_text_in_russian_and_english(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], title: str, query: str, found: bool
) -> None:
    word = token()
    incident = await open_incident(tickets_api, agent, title=f"{title} {word}")
    hits = ids(await search(tickets_api, agent, f"{query} {word}"))
    assert hits == ({incident["id"]} if found else set())


async def test_search_reads_descriptions_and_comments_but_not_for_reporters_internal_notes(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], reporter: dict[str, str]
) -> None:
    in_description, in_public, in_internal = token(), token(), token()
    incident = await open_incident(
        tickets_api, reporter, description=f"Не работает почта {in_description}"
    )
    said = await comment(tickets_api, agent, incident, f"Перезагрузили маршрутизаторы {in_public}")
    noted = await comment(tickets_api, agent, incident, f"Секрет {in_internal}", "internal")
    assert (said.status_code, noted.status_code) == (201, 201), noted.text
    await wait_for_standby()
    assert ids(await search(tickets_api, agent, f"почты {in_description}")) == {incident["id"]}
    for who in (agent, reporter):
        hits = await search(tickets_api, who, f"маршрутизатор {in_public}")
        assert ids(hits) == {incident["id"]}
    assert ids(await search(tickets_api, agent, in_internal)) == {incident["id"]}
    assert await search(tickets_api, reporter, in_internal) == [], "internal notes stay hidden"


async def test_search_input_never_breaks_the_query(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    for q in ('"', "-", "OR", "и", "a & b | !c", "(((", "':*", "ё" * 200, "<->", "\\"):
        response = await tickets_api.get(INCIDENTS, params={"q": q}, headers=agent)
        assert response.status_code == 200, (q, response.text)


# ---- comments -------------------------------------------------------------------------------


async def test_public_comments_and_internal_notes(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], reporter: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, reporter)
    said = await comment(tickets_api, agent, incident, "Мы смотрим")
    noted = await comment(tickets_api, agent, incident, "Похоже на сбой DNS", "internal")
    answered = await comment(tickets_api, reporter, incident, "Спасибо")
    assert [r.status_code for r in (said, noted, answered)] == [201, 201, 201]
    assert (said.json()["visibility"], said.json()["author_username"]) == ("public", "agent1")
    assert noted.json()["visibility"] == "internal"
    assert said.json()["incident_id"] == incident["id"]
    url = f"{INCIDENTS}/{incident['id']}/comments"
    await wait_for_standby()  # the agent reads the standby, where the reporter's comment goes
    staff_view = (await tickets_api.get(url, headers=agent)).json()
    assert [c["body"] for c in staff_view] == ["Мы смотрим", "Похоже на сбой DNS", "Спасибо"]
    reporter_view = await tickets_api.get(url, headers=reporter)
    assert reporter_view.status_code == 200, reporter_view.text
    assert [c["body"] for c in reporter_view.json()] == ["Мы смотрим", "Спасибо"]


async def test_reporters_do_not_write_internal_notes(
    tickets_api: httpx.AsyncClient, reporter: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, reporter)
    response = await comment(tickets_api, reporter, incident, "psst", "internal")
    assert response.status_code == 403, response.text
    assert response.json()["type"].endswith("/internal-notes-for-staff")
    comments = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/comments", headers=reporter)
    assert comments.json() == []


async def test_the_first_public_agent_comment_is_the_first_response(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    reporter: dict[str, str],
    tokens: TokenShop,
) -> None:
    incident = await open_incident(tickets_api, reporter)
    url = f"{INCIDENTS}/{incident['id']}"
    channels = await headers_of(tokens, "service:channels")
    for who, visibility in ((reporter, "public"), (agent, "internal"), (channels, "public")):
        assert (await comment(tickets_api, who, incident, "not a response", visibility)).is_success
        await wait_for_standby()
        current = (await tickets_api.get(url, headers=agent)).json()
        assert current["responded_at"] is None, visibility

    first = await comment(tickets_api, agent, incident, "Мы уже работаем")
    responded = (await tickets_api.get(url, headers=agent)).json()["responded_at"]
    assert responded == first.json()["created_at"]
    await comment(tickets_api, agent, incident, "Ещё немного")
    assert (await tickets_api.get(url, headers=agent)).json()["responded_at"] == responded
