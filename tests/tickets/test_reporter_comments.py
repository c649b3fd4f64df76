"""Comments of the reporter: relayed by a service (the channels) on behalf of someone outside the
realm, or written in the console. Who may relay, whose comment it is, the SLA, the moves a reply
makes through the workflow (and none when it offers none), the event's flag and idempotent
retries. (The list's reporter filters: test_reporter_lists.py.)"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from servicedesk.tickets.app import create_app
from tests.legacy.conftest import wait_for_standby
from tests.support.apps import serve
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import INCIDENTS, headers_of, open_incident, subject_of
from tests.tickets.reporters import (
    CHANNELS_ACCOUNT,
    events,
    fields,
    from_telegram,
    make_transition,
    new_phone,
    problem,
    read_incident,
    relay,
    say,
)

WORKFLOWS = Path("src/servicedesk/tickets/config/workflows")


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


@pytest.fixture
async def channels(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "service:channels")


# ---- who may relay, and whose comment it is ------------------------------------------------


@pytest.mark.parametrize("who", ["agent1", "supervisor1", "reporter1"])
async def test_only_a_service_relays_a_reporters_comment(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, reporter: dict[str, str], who: str
) -> None:
    incident = await open_incident(tickets_api, reporter)  # reporter1's own: they see it
    headers = await headers_of(tokens, who)
    response = await say(tickets_api, headers, incident, "on their behalf", from_reporter=True)
    refused = problem(response, 403, "relay-for-services")
    assert fields(refused) == ["from_reporter"]
    assert refused["required_roles"] == ["service"]
    assert "from_reporter" in refused["detail"]
    assert await events(incident, "incident.commented") == []


async def test_a_relayed_comment_is_the_outside_reporters(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    said = await relay(tickets_api, channels, incident, "Всё ещё не работает")
    assert {k: said[k] for k in ("visibility", "author_id", "author_username", "via")} == {
        "visibility": "public",
        "author_id": None,
        "author_username": "Пётр Телеграмов",
        "via": CHANNELS_ACCOUNT,
    }
    assert said["from_reporter"] is True
    listed = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/comments", headers=channels)
    assert listed.json() == [said]


async def test_a_reporter_known_by_number_only_gets_a_neutral_name(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    incident = await open_incident(
        tickets_api, channels, channel="sms", reporter={"phone": new_phone()}
    )
    said = await relay(tickets_api, channels, incident, "СТОП")
    assert (said["author_id"], said["author_username"]) == (None, "reporter")


async def test_a_relayed_comment_of_a_realm_user_is_theirs(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], tokens: TokenShop
) -> None:
    reporter1 = await subject_of(tokens, "reporter1")
    incident = await from_telegram(tickets_api, channels, user_id=reporter1)
    said = await relay(tickets_api, channels, incident, "Пишу из Telegram")
    assert (said["author_id"], said["author_username"], said["via"]) == (
        reporter1,
        "reporter1",
        CHANNELS_ACCOUNT,
    )


async def test_a_reporters_comment_cannot_be_an_internal_note(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    response = await say(
        tickets_api, channels, incident, "secret", from_reporter=True, visibility="internal"
    )
    assert fields(problem(response, 422, "invalid-input")) == ["visibility"]


async def test_a_relayed_reply_is_not_a_response_and_moves_nothing_open(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    await relay(tickets_api, channels, incident, "Алло?")
    current = await read_incident(tickets_api, channels, incident)
    assert (current["status"], current["responded_at"], current["version"]) == ("new", None, 1)
    await make_transition(tickets_api, agent, incident, "start")
    await wait_for_standby()
    await relay(tickets_api, channels, incident, "Спасибо")
    assert (await read_incident(tickets_api, channels, incident))["status"] == "in_progress"
    moves = await events(incident, "incident.status_changed")
    assert [m["transition"] for m in moves] == ["start"]


# ---- the moves of a reply ---------------------------------------------------------------------


async def test_a_reply_resumes_an_incident_waiting_for_the_reporter(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    await make_transition(tickets_api, agent, incident, "start")
    waiting = await make_transition(
        tickets_api, agent, incident, "ask_reporter", comment="Какой браузер?"
    )
    assert waiting["sla_paused_at"] is not None
    await wait_for_standby()

    said = await relay(tickets_api, channels, incident, "Firefox")
    resumed = await read_incident(tickets_api, channels, incident)
    assert (resumed["status"], resumed["sla_paused_at"]) == ("in_progress", None)
    assert resumed["updated_by"] == "Пётр Телеграмов"
    assert resumed["version"] == waiting["version"] + 1
    moves = await events(incident, "incident.status_changed")
    assert [(m["transition"], m["from_status"], m["to_status"], m["reason"]) for m in moves] == [
        ("start", "new", "in_progress", None),
        ("ask_reporter", "in_progress", "waiting_for_reporter", None),
        ("resume", "waiting_for_reporter", "in_progress", None),
    ]
    told = await events(incident, "incident.commented")
    assert [(c["comment_id"], c["status"]) for c in told][-1] == (
        said["id"],
        "waiting_for_reporter",
    )
    history = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=channels)
    last = history.json()[-1]
    assert (last["actor"], last["field"], last["new_value"]) == (
        "Пётр Телеграмов",
        "status",
        "in_progress",
    )
    assert last["note"] == "transition resume"


async def test_a_reply_reopens_a_resolved_incident_with_its_words_as_the_reason(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    await make_transition(
        tickets_api, agent, incident, "resolve", resolution="Перезагрузили роутер"
    )
    await wait_for_standby()
    words = "Нет, всё ещё не работает.\n" + "Опять пропадает связь. " * 20
    await relay(tickets_api, channels, incident, words)

    reopened = await read_incident(tickets_api, channels, incident)
    assert reopened["status"] == "in_progress"
    assert reopened["resolved_at"] is None, "the resolution clock runs again"
    move = (await events(incident, "incident.status_changed"))[-1]
    assert (move["transition"], move["from_status"]) == ("reopen", "resolved")
    assert move["reason"] == " ".join(words.split())[:199].rstrip() + "…"
    assert len(move["reason"]) <= 200
    history = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=channels)
    last = history.json()[-1]
    assert (last["actor"], last["note"]) == ("Пётр Телеграмов", move["reason"])


async def test_a_reply_reopens_a_closed_incident(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    await make_transition(tickets_api, agent, incident, "resolve", resolution="Готово")
    await make_transition(tickets_api, agent, incident, "close")
    await wait_for_standby()
    await relay(tickets_api, channels, incident, "Снова сломалось")
    assert (await read_incident(tickets_api, channels, incident))["status"] == "in_progress"
    move = (await events(incident, "incident.status_changed"))[-1]
    assert (move["transition"], move["from_status"], move["reason"]) == (
        "reopen",
        "closed",
        "Снова сломалось",
    )


def _without_reporter_moves(folder: Path) -> Path:
    """The shipped workflows, but the reporter may neither resume nor reopen an incident."""
    target = folder / "workflows"
    shutil.copytree(WORKFLOWS, target)
    path = target / "incident.yaml"
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    for transition in definition["transitions"]:
        if transition["id"] in ("resume", "reopen"):
            transition["roles"] = ["agent"]
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return target


async def test_no_move_when_the_workflow_offers_the_reporter_none(
    proxy_urls: dict[str, str], tokens: TokenShop, tmp_path: Path
) -> None:
    channels = await headers_of(tokens, "service:channels")
    agent = await headers_of(tokens, "agent1")
    settings = tickets_settings(
        proxy_urls["migration"], workflows_dir=_without_reporter_moves(tmp_path)
    )
    async with serve(create_app(settings)) as api:
        waiting = await from_telegram(api, channels)
        await make_transition(api, agent, waiting, "start")
        await make_transition(api, agent, waiting, "ask_reporter", comment="Какой браузер?")
        resolved = await from_telegram(api, channels)
        await make_transition(api, agent, resolved, "resolve", resolution="Готово")
        await wait_for_standby()
        for incident, status in ((waiting, "waiting_for_reporter"), (resolved, "resolved")):
            said = await relay(api, channels, incident, "Ответ")
            assert said["from_reporter"] is True
            assert (await read_incident(api, channels, incident))["status"] == status


async def test_a_reporter_in_the_console_moves_nothing_by_commenting(
    tickets_api: httpx.AsyncClient, reporter: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, reporter)
    await make_transition(tickets_api, agent, incident, "start")
    await make_transition(tickets_api, agent, incident, "ask_reporter", comment="Какой браузер?")
    await wait_for_standby()
    said = await say(tickets_api, reporter, incident, "Chrome")
    assert said.status_code == 201, said.text
    assert (said.json()["from_reporter"], said.json()["via"]) == (True, None)
    assert (await read_incident(tickets_api, reporter, incident))[
        "status"
    ] == "waiting_for_reporter"


# ---- the event --------------------------------------------------------------------------------


async def test_the_commented_event_says_whether_the_reporter_wrote_it(
    tickets_api: httpx.AsyncClient,
    channels: dict[str, str],
    agent: dict[str, str],
    reporter: dict[str, str],
    tokens: TokenShop,
) -> None:
    reporter1 = await subject_of(tokens, "reporter1")
    incident = await from_telegram(tickets_api, channels, user_id=reporter1)
    await relay(tickets_api, channels, incident, "из Telegram")
    await wait_for_standby()
    assert (await say(tickets_api, agent, incident, "от агента")).status_code == 201
    assert (await say(tickets_api, reporter, incident, "из консоли")).status_code == 201
    assert (await say(tickets_api, channels, incident, "от сервиса")).status_code == 201
    told = await events(incident, "incident.commented")
    assert [(e["body"], e["author"], e["from_reporter"]) for e in told] == [
        ("из Telegram", "reporter1", True),
        ("от агента", "agent1", False),
        ("из консоли", "reporter1", True),
        ("от сервиса", CHANNELS_ACCOUNT, False),
    ]


# ---- Idempotency-Key ----------------------------------------------------------------------------


async def test_a_retried_message_is_one_comment_and_one_move(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    await make_transition(tickets_api, agent, incident, "resolve", resolution="Готово")
    await wait_for_standby()
    key = f"tg-{uuid.uuid4()}"
    first = await say(tickets_api, channels, incident, "Не помогло", key, from_reporter=True)
    again = await say(tickets_api, channels, incident, "Не помогло", key, from_reporter=True)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    listed = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/comments", headers=channels)
    assert [c["id"] for c in listed.json()] == [first.json()["id"]]
    assert len(await events(incident, "incident.commented")) == 1
    moves = await events(incident, "incident.status_changed")
    assert [m["transition"] for m in moves] == ["resolve", "reopen"]


async def test_concurrent_retries_make_one_comment(
    tickets_api: httpx.AsyncClient, channels: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    key = f"storm-{uuid.uuid4()}"
    answers = await asyncio.gather(
        *(say(tickets_api, channels, incident, "Раз", key, from_reporter=True) for _ in range(6))
    )
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(await events(incident, "incident.commented")) == 1


async def test_the_same_key_with_another_comment_is_refused(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    incident = await from_telegram(tickets_api, channels)
    other = await from_telegram(tickets_api, channels)
    key = f"reuse-{uuid.uuid4()}"
    await relay(tickets_api, channels, incident, "Первое", key)
    refusals = [
        await say(tickets_api, channels, incident, "Второе", key, from_reporter=True),
        await say(tickets_api, channels, incident, "Первое", key),  # not from the reporter
        await say(tickets_api, channels, other, "Первое", key, from_reporter=True),
    ]
    for response in refusals:
        refused = problem(response, 422, "idempotency-key-reused")
        assert fields(refused) == ["Idempotency-Key"]
        assert refused["errors"][0]["location"] == "header"
    registering = await tickets_api.post(
        INCIDENTS,
        json={"title": "по тому же ключу", "description": "…", "category": "software"},
        headers={**channels, "Idempotency-Key": key},
    )
    problem(registering, 422, "idempotency-key-reused")
    assert len(await events(incident, "incident.commented")) == 1
    assert await events(other, "incident.commented") == []

    agent_key = f"agent-{uuid.uuid4()}"  # keys are each principal's own
    await wait_for_standby()
    mine = await say(tickets_api, agent, incident, "Первое", key)
    assert mine.status_code == 201, mine.text
    assert (await say(tickets_api, agent, incident, "Ещё", agent_key)).status_code == 201
