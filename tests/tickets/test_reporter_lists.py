"""The incident list by reporter, for staff: what the channels answer "/my" with (a contact's
incidents by Telegram id or phone), and a realm user's incidents; malformed values are refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.tokens import TokenShop
from tests.tickets.factories import INCIDENTS, headers_of, open_incident, subject_of
from tests.tickets.reporters import (
    fields,
    from_telegram,
    make_transition,
    new_phone,
    new_telegram_id,
    problem,
)


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


@pytest.fixture
async def channels(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "service:channels")


async def _listed(
    api: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await api.get(INCIDENTS, params={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_staff_list_a_contacts_incidents(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], agent: dict[str, str]
) -> None:
    telegram_id, phone = new_telegram_id(), new_phone()
    by_telegram = [
        await from_telegram(tickets_api, channels, name="Анна", telegram_id=telegram_id)
        for _ in range(2)
    ]
    texting = await open_incident(tickets_api, channels, channel="sms", reporter={"phone": phone})
    await from_telegram(tickets_api, channels)  # someone else
    await make_transition(tickets_api, agent, by_telegram[0], "resolve", resolution="Готово")
    await wait_for_standby()

    found = await _listed(tickets_api, channels, reporter_telegram_id=telegram_id)
    assert [i["id"] for i in found] == [by_telegram[1]["id"], by_telegram[0]["id"]]
    still_open = await _listed(
        tickets_api,
        agent,
        reporter_telegram_id=telegram_id,
        status=["new", "in_progress", "waiting_for_reporter"],
    )
    assert [i["id"] for i in still_open] == [by_telegram[1]["id"]]
    found = await _listed(tickets_api, channels, reporter_phone=phone)
    assert [i["id"] for i in found] == [texting["id"]]
    both = await _listed(
        tickets_api, channels, reporter_phone=phone, reporter_telegram_id=telegram_id
    )
    assert both == []


async def test_staff_list_a_realm_users_incidents(
    tickets_api: httpx.AsyncClient,
    channels: dict[str, str],
    reporter: dict[str, str],
    tokens: TokenShop,
) -> None:
    reporter1 = await subject_of(tokens, "reporter1")
    theirs = await from_telegram(tickets_api, channels, user_id=reporter1)
    await from_telegram(tickets_api, channels)
    found = await _listed(tickets_api, channels, reporter=reporter1, channel=["telegram"], limit=5)
    assert found[0]["id"] == theirs["id"]
    assert {i["reporter_id"] for i in found} == {reporter1}
    await wait_for_standby()
    refused = await tickets_api.get(INCIDENTS, params={"reporter": reporter1}, headers=reporter)
    assert problem(refused, 403, "staff-only")["required_roles"] == ["agent", "service"]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("reporter_phone", "79161234567"),
        ("reporter_phone", "+0916123456"),
        ("reporter_phone", "+7 916 123-45-67"),
        ("reporter_telegram_id", "abc"),
        ("reporter_telegram_id", "0"),
        ("reporter_telegram_id", str(2**53)),
        ("reporter", "not an id"),
        ("reporter", "x" * 65),
    ],
)
async def test_malformed_reporter_filters(
    tickets_api: httpx.AsyncClient, channels: dict[str, str], param: str, value: str
) -> None:
    response = await tickets_api.get(INCIDENTS, params={param: value}, headers=channels)
    assert fields(problem(response, 422, "invalid-input")) == [param]
