"""Who may call each incident endpoint: no token, a reporter (on their own incident), an agent,
a supervisor, the channels service, and a service whose tokens are not meant for tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.tokens import TokenShop
from tests.tickets.factories import INCIDENTS, PROBLEM_JSON, headers_of, open_incident, unique

CALLERS = (None, "reporter1", "agent1", "supervisor1", "service:channels", "service:clients")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {id} and {attachment} are filled in
    statuses: tuple[int, ...]  # per caller, in the order of CALLERS
    json: dict[str, Any] | None = None
    upload: bool = False
    if_match: bool = False


ENDPOINTS = (
    Endpoint("register", "POST", "", (401, 201, 201, 201, 201, 401), json={}),
    Endpoint("list", "GET", "", (401, 200, 200, 200, 200, 401)),
    Endpoint("read", "GET", "/{id}", (401, 200, 200, 200, 200, 401)),
    Endpoint(
        "edit",
        "PATCH",
        "/{id}",
        (401, 403, 200, 200, 200, 401),
        json={"urgency": "high"},
        if_match=True,
    ),
    Endpoint("transitions", "GET", "/{id}/transitions", (401, 200, 200, 200, 200, 401)),
    Endpoint(
        "move",
        "POST",
        "/{id}/transitions",
        (401, 403, 200, 200, 403, 401),
        json={"transition": "start"},
    ),
    Endpoint("comments", "GET", "/{id}/comments", (401, 200, 200, 200, 200, 401)),
    Endpoint(
        "comment", "POST", "/{id}/comments", (401, 201, 201, 201, 201, 401), json={"body": "Hi"}
    ),
    Endpoint("history", "GET", "/{id}/history", (401, 403, 200, 200, 200, 401)),
    Endpoint("attach", "POST", "/{id}/attachments", (401, 201, 201, 201, 201, 401), upload=True),
    Endpoint("attachments", "GET", "/{id}/attachments", (401, 200, 200, 200, 200, 401)),
    Endpoint("download", "GET", "/{id}/attachments/{attachment}", (401, 200, 200, 200, 200, 401)),
)
MATRIX = [
    pytest.param(endpoint, caller, status, id=f"{endpoint.name}-{caller or 'anonymous'}")
    for endpoint in ENDPOINTS
    for caller, status in zip(CALLERS, endpoint.statuses, strict=True)
]


async def _call(
    api: httpx.AsyncClient,
    endpoint: Endpoint,
    headers: dict[str, str],
    incident: dict[str, Any],
    attachment: str,
    caller: str | None,
) -> httpx.Response:
    url = INCIDENTS + endpoint.path.format(id=incident["id"], attachment=attachment)
    if endpoint.if_match:
        headers = {**headers, "If-Match": f'"{incident["version"]}"'}
    if endpoint.upload:
        files = {"file": ("note.txt", b"hello", "text/plain")}
        return await api.post(url, files=files, headers=headers)
    body = endpoint.json
    if endpoint.name == "register":
        body = {"title": unique("Roles"), "description": "d", "category": "other"}
        if caller is not None and caller.startswith("service:"):
            body["reporter"] = {"name": "Caller", "phone": "+79161234567"}
    return await api.request(endpoint.method, url, json=body, headers=headers)


@pytest.mark.parametrize(("endpoint", "caller", "status"), MATRIX)
async def test_who_may_call_what(
    tickets_api: httpx.AsyncClient,
    tokens: TokenShop,
    endpoint: Endpoint,
    caller: str | None,
    status: int,
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, await headers_of(tokens, "reporter1"))
    attached = await tickets_api.post(
        f"{INCIDENTS}/{incident['id']}/attachments",
        files={"file": ("seen.txt", b"seen", "text/plain")},
        headers=agent,
    )
    assert attached.status_code == 201, attached.text
    await wait_for_standby()  # others than the writers read the standby
    headers = await headers_of(tokens, caller)
    response = await _call(tickets_api, endpoint, headers, incident, attached.json()["id"], caller)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


NOT_THEIRS = [
    pytest.param(endpoint, 403 if endpoint.name in ("edit", "history") else 404, id=endpoint.name)
    for endpoint in ENDPOINTS
    if "{id}" in endpoint.path
]


@pytest.mark.parametrize(("endpoint", "status"), NOT_THEIRS)
async def test_another_reporters_incident_does_not_exist_for_a_reporter(
    tickets_api: httpx.AsyncClient, tokens: TokenShop, endpoint: Endpoint, status: int
) -> None:
    agent = await headers_of(tokens, "agent1")
    incident = await open_incident(tickets_api, agent)
    attached = await tickets_api.post(
        f"{INCIDENTS}/{incident['id']}/attachments",
        files={"file": ("seen.txt", b"seen", "text/plain")},
        headers=agent,
    )
    assert attached.status_code == 201, attached.text
    await wait_for_standby()  # so that a 404 means hidden, not not yet replicated
    reporter = await headers_of(tokens, "reporter1")
    response = await _call(
        tickets_api, endpoint, reporter, incident, attached.json()["id"], "reporter1"
    )
    assert response.status_code == status, response.text
    after = (await tickets_api.get(f"{INCIDENTS}/{incident['id']}", headers=agent)).json()
    assert after["version"] == incident["version"], "nothing changed"
    comments = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/comments", headers=agent)
    assert comments.json() == []


async def test_a_forged_token_is_401(tickets_api: httpx.AsyncClient) -> None:
    for value in ("Bearer not-a-jwt", "Basic YWdlbnQxOmRlbW8=", "Bearer "):
        response = await tickets_api.get(INCIDENTS, headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.headers["content-type"] == PROBLEM_JSON
