"""Helpers of the reporter-comment tests: incidents the channels register for outside people,
comments relayed on their behalf, the incident's events and problem answers."""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.tickets.factories import INCIDENTS, PROBLEM_JSON, open_incident, outbox_of

CHANNELS_ACCOUNT = "service-account-servicedesk-channels"


def new_telegram_id() -> int:
    return random.randrange(10**9, 10**12)


def new_phone() -> str:
    return "+7999" + "".join(random.choices("0123456789", k=7))


async def from_telegram(
    api: httpx.AsyncClient, channels: dict[str, str], **contact: Any
) -> dict[str, Any]:
    """An incident the channels register for an outside person (a name and a Telegram id)."""
    reporter = contact or {"name": "Пётр Телеграмов", "telegram_id": new_telegram_id()}
    return await open_incident(api, channels, channel="telegram", reporter=reporter)


async def say(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    incident: dict[str, Any],
    body: str,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    sent = {**headers, **({"Idempotency-Key": key} if key else {})}
    return await api.post(
        f"{INCIDENTS}/{incident['id']}/comments", json={"body": body, **extra}, headers=sent
    )


async def relay(
    api: httpx.AsyncClient,
    channels: dict[str, str],
    incident: dict[str, Any],
    body: str,
    key: str | None = None,
) -> dict[str, Any]:
    """The reporter's message, relayed by the channels; the comment made."""
    response = await say(api, channels, incident, body, key, from_reporter=True)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def make_transition(
    api: httpx.AsyncClient,
    agent: dict[str, str],
    incident: dict[str, Any],
    transition: str,
    **f: str,
) -> dict[str, Any]:
    body = {"transition": transition, "fields": f}
    response = await api.post(f"{INCIDENTS}/{incident['id']}/transitions", json=body, headers=agent)
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


async def read_incident(
    api: httpx.AsyncClient, headers: dict[str, str], incident: dict[str, Any]
) -> dict[str, Any]:
    response = await api.get(f"{INCIDENTS}/{incident['id']}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def events(incident: dict[str, Any], event_type: str) -> list[dict[str, Any]]:
    return [payload for kind, payload in await outbox_of(incident["id"]) if kind == event_type]


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/{code}"), body
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]
