"""The tickets service answers in the language of Accept-Language (ADR 0021): the same requests
in Russian and in English, for a forbidden transition, a record that does not exist, field
errors, a query error and history notes (kept as messages, read in the reader's language)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.tokens import TokenShop
from tests.tickets.factories import PROBLEM_JSON, headers_of, open_incident, tickets_db

INCIDENTS = "/api/v1/incidents"
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en"}


async def _in_both(
    api: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same request in Russian and in English: both problem bodies."""
    answers = []
    for lang in (RU, EN):
        response = await api.request(method, path, headers={**headers, **lang}, **options)
        assert response.headers["content-type"] == PROBLEM_JSON, response.text
        assert response.headers["content-language"] == lang["Accept-Language"][:2]
        answers.append(response.json())
    russian, english = answers
    assert {k: v for k, v in russian.items() if k not in ("title", "detail", "errors")} == {
        k: v for k, v in english.items() if k not in ("title", "detail", "errors")
    }, "only the words differ"
    return russian, english


async def test_a_forbidden_transition_in_russian(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    reporter = await headers_of(tokens, "reporter1")
    incident = await open_incident(tickets_api, reporter)
    russian, english = await _in_both(
        tickets_api,
        "POST",
        f"{INCIDENTS}/{incident['id']}/transitions",
        reporter,
        json={"transition": "start", "fields": {}},
    )
    assert russian["status"] == 403
    roles = ", ".join(english["required_roles"])
    assert english["detail"] == f'"start" requires one of the roles: {roles}'
    assert (russian["title"], russian["detail"]) == (
        "Нет доступа",
        f"для перехода «start» нужна одна из ролей: {roles}",
    )


async def test_transition_fields_in_russian(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, agent)
    russian, english = await _in_both(
        tickets_api,
        "POST",
        f"{INCIDENTS}/{incident['id']}/transitions",
        agent,
        json={"transition": "start", "fields": {"colour": "red"}},
    )
    assert english["detail"] == "transition fields colour: unknown field"
    assert russian["detail"] == "поля перехода colour: неизвестное поле"
    assert [e["reason"] for e in russian["errors"]] == ["неизвестное поле"]


async def test_a_missing_incident_in_russian(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    russian, english = await _in_both(tickets_api, "GET", f"{INCIDENTS}/INC-999999", agent)
    assert (english["title"], english["detail"]) == (
        "Not found",
        "incident INC-999999 does not exist",
    )
    assert (russian["title"], russian["detail"]) == ("Не найдено", "инцидента INC-999999 нет")


async def test_a_field_error_in_russian_keeps_its_field(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    body = {"title": "Печать", "description": "Не печатает.", "category": "nonsense"}
    russian, english = await _in_both(tickets_api, "POST", INCIDENTS, agent, json=body)
    assert english["errors"][0]["reason"].startswith("unknown category 'nonsense'; known: ")
    known = english["errors"][0]["reason"].split("; known: ")[1]
    said = f"неизвестная категория 'nonsense'; известны: {known}"
    assert [(e["field"], e["reason"]) for e in russian["errors"]] == [("category", said)]
    assert russian["detail"] == f"category: {said}"
    assert russian["title"] == "Неверные данные"


async def test_a_query_error_in_russian(tickets_api: httpx.AsyncClient, tokens: TokenShop) -> None:
    agent = await headers_of(tokens, "agent1")
    russian, english = await _in_both(
        tickets_api, "GET", "/api/v1/query", agent, params={"q": "status = neww"}
    )
    assert english["detail"] == 'unknown status "neww" at column 10 — did you mean "new"?'
    assert (
        russian["detail"] == 'неизвестное значение status «neww»: позиция 10 — может быть, "new"?'
    )


async def test_history_notes_are_read_in_the_readers_language(
    tickets_api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, agent)
    path = f"{INCIDENTS}/{incident['id']}"
    started = await tickets_api.post(
        f"{path}/transitions", json={"transition": "start", "fields": {}}, headers=agent
    )
    assert started.status_code == 200, started.text
    typed = "Взял, смотрю"
    resolved = await tickets_api.post(
        f"{path}/transitions",
        json={"transition": "resolve", "fields": {"resolution": "Готово", "reason": typed}},
        headers=agent,
    )
    assert resolved.status_code == 200, resolved.text
    notes = {}
    for lang in (RU, EN):
        history = await tickets_api.get(f"{path}/history", headers={**agent, **lang})
        assert history.status_code == 200, history.text
        notes[lang["Accept-Language"][:2]] = [(h["field"], h["note"]) for h in history.json()]
    assert ("status", "зарегистрирован через канал web") in notes["ru"]
    assert ("status", "registered via web") in notes["en"]
    assert ("status", "переход start") in notes["ru"]
    assert ("status", "transition start") in notes["en"]
    # A note a user typed is shown as typed, in any language.
    assert ("status", typed) in notes["ru"]
    assert ("status", typed) in notes["en"]
    connection = await tickets_db()
    try:
        rows = await connection.fetch(
            "select note, note_message::text as kept from tickets.history"
            " where ticket_id = $1 and field = 'status' order by id",
            incident["id"],
        )
    finally:
        await connection.close()
    kept = [(r["note"], json.loads(r["kept"]) if r["kept"] else None) for r in rows]
    assert kept == [
        ("registered via web", {"msg": "registered via {channel}", "params": {"channel": "web"}}),
        ("transition start", {"msg": "transition {transition}", "params": {"transition": "start"}}),
        (typed, None),
    ]
