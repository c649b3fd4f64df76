"""The seed's rules for clients through the proxy, on real services: ours (the clients service),
the legacy simulator over HTTP, Redis."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from servicedesk.kernel.breaker import SharedBreaker as CircuitBreaker
from servicedesk.kernel.calls import UserToken
from servicedesk.legacy.app import create_app as create_legacy
from servicedesk.legacy.settings import LegacySettings
from servicedesk.migration.adapters.legacy_api import LegacyClient
from servicedesk.migration.adapters.legacy_cache import LegacyCache
from servicedesk.migration.adapters.our_services import OurClients, OurOrders
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import ClientMatches
from servicedesk.migration.usecases.clients import edit_client, search_clients
from tests.legacy.conftest import wait_for_standby
from tests.support.apps import serve
from tests.support.infra import REDIS_URL, admin_connection
from tests.support.tokens import TokenShop

ADMIN = {"X-Admin-Key": "local-legacy-admin-key"}
FAULTS = "/legacy/admin/faults"
CREATED = datetime(2021, 3, 4, 10, 0)


@dataclass(frozen=True)
class Legacy:
    first: int
    surname: str  # a made-up surname, shared by the legacy rows of this module


@pytest.fixture(scope="module")
async def legacy_rows() -> AsyncIterator[Legacy]:
    surname = "Зорк" + "".join(random.choices("абвгдежзиклмнопрст", k=6))
    rows = Legacy(2_100_000_000 + random.randrange(1_000_000) * 10, surname)
    people = [f"{surname} Пётр Ильич", f"{surname}а Анна Петровна", f"{surname} Илья Петрович"]
    admin = await admin_connection()
    try:
        await admin.executemany(
            "insert into legacy.customers values ($1, $2, 'P', '', '8 (916) 123-45-67', '', $3, $3)",
            [(rows.first + n, name, CREATED) for n, name in enumerate(people)],
        )
        await wait_for_standby()
        yield rows
    finally:
        await admin.execute(
            "delete from legacy.customers where customer_id between $1 and $2",
            rows.first,
            rows.first + 9,
        )
        await admin.close()


@pytest.fixture(scope="module")
async def simulator() -> AsyncIterator[httpx.AsyncClient]:
    settings = LegacySettings(faults_redis_key=f"sd:legacy:faults:test-{uuid.uuid4().hex}")
    async with serve(create_legacy(settings)) as client:
        yield client


@pytest.fixture
async def side(simulator: httpx.AsyncClient) -> AsyncIterator[LegacySide]:
    redis = Redis.from_url(REDIS_URL)
    name = f"test-{uuid.uuid4().hex[:8]}"
    client = LegacyClient(
        simulator,
        base_url=str(simulator.base_url),
        api_key=SecretStr("local-legacy-api-key"),
        deadline_s=0.5,
    )
    yield LegacySide(
        client, LegacyCache(redis, name), CircuitBreaker(redis, name, threshold=2, open_s=30)
    )
    await simulator.delete(FAULTS, headers=ADMIN)
    await redis.aclose()


@pytest.fixture
async def people(tokens: TokenShop) -> tuple[httpx.Auth, httpx.Auth]:
    return UserToken(await tokens.access("agent1")), UserToken(await tokens.service("migration"))


def _ours(clients_api: httpx.AsyncClient, people: tuple[httpx.Auth, httpx.Auth]) -> Ours:
    unused = OurOrders.at("orders", "http://127.0.0.1:9")
    # the clients service in-process: the kernel's client over the fixture's ASGI transport
    clients = OurClients.at("clients", str(clients_api.base_url), transport=clients_api._transport)
    return Ours(clients, unused, people[1])


def _items(answer: ClientMatches) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json", exclude_unset=True) for i in answer.items]


async def _search(
    clients_api: httpx.AsyncClient, side: LegacySide, auths: tuple[httpx.Auth, httpx.Auth], q: str
) -> ClientMatches:
    return await search_clients(q, 20, auths[0], _ours(clients_api, auths), side)


async def test_search_is_ours_plus_what_only_legacy_has(
    clients_api: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
    legacy_rows: Legacy,
) -> None:
    body = {"display_name": f"{legacy_rows.surname} Наш Клиент", "kind": "person"}
    ours = await clients_api.post("/api/v1/clients", json=body, auth=people[0])
    answer = await _search(clients_api, side, people, legacy_rows.surname)
    assert answer.partial is None
    sources = [(i["display_name"], i["source"]) for i in _items(answer)]
    assert sources[0] == (body["display_name"], "ours")
    legacy_names = sorted(name for name, source in sources if source == "legacy")
    assert (
        legacy_names
        == sorted([f"{legacy_rows.surname} Пётр Ильич", f"{legacy_rows.surname} Илья Петрович"])
        or len(legacy_names) == 3
    )
    assert all(i["phone"] == "+79161234567" for i in _items(answer) if i["source"] == "legacy")
    assert ours.status_code == 201
    cached = await side.cache.peek(f"customer:{legacy_rows.first}")
    assert cached is not None, "what only the legacy system has is kept in the cache"
    assert cached.value is not None
    assert cached.value["external_id"] == f"LC-{legacy_rows.first}"


async def test_a_record_we_hold_wins_over_its_legacy_copy(
    clients_api: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
    legacy_rows: Legacy,
) -> None:
    external_id = f"LC-{legacy_rows.first + 2}"
    record = {"external_id": external_id, "display_name": "Уже Перенесённый", "kind": "person"}
    await clients_api.post(
        "/api/v1/clients/bulk-upsert", json={"records": [record]}, auth=people[1]
    )
    answer = await _search(clients_api, side, people, legacy_rows.surname)
    assert [i for i in _items(answer) if i["external_id"] == external_id] == []


async def test_legacy_down_gives_ours_and_the_cache_marked_partial(
    clients_api: httpx.AsyncClient,
    simulator: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
    legacy_rows: Legacy,
) -> None:
    warm = await _search(clients_api, side, people, legacy_rows.surname)
    await side.cache.forget(f"search:20:{legacy_rows.surname.lower()}")
    await simulator.put(FAULTS, json={"outage": True}, headers=ADMIN)
    answer = await _search(clients_api, side, people, legacy_rows.surname)
    assert answer.partial is not None
    assert answer.partial.header() == "legacy=outage"
    assert [i for i in _items(answer) if i["source"] == "ours"] == [
        i for i in _items(warm) if i["source"] == "ours"
    ]


async def test_legacy_slower_than_the_deadline_is_a_partial_answer_in_time(
    clients_api: httpx.AsyncClient,
    simulator: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
) -> None:
    await simulator.put(FAULTS, json={"latency_ms": 2000}, headers=ADMIN)
    started = asyncio.get_running_loop().time()
    answer = await _search(clients_api, side, people, f"никто{uuid.uuid4().hex[:6]}")
    elapsed = asyncio.get_running_loop().time() - started
    assert answer.partial is not None
    assert answer.partial.reason == "timeout"
    assert elapsed < 0.5 + 0.4


async def test_an_open_breaker_answers_at_once_from_ours_and_the_cache(
    clients_api: httpx.AsyncClient,
    simulator: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
) -> None:
    await simulator.put(FAULTS, json={"error_rate": 1.0}, headers=ADMIN)
    for _ in range(2):
        await _search(clients_api, side, people, f"сбой{uuid.uuid4().hex[:6]}")
    answer = await _search(clients_api, side, people, f"сбой{uuid.uuid4().hex[:6]}")
    assert answer.partial is not None
    assert answer.partial.reason == "breaker-open"


async def test_editing_a_legacy_only_record_moves_it_in_first(
    clients_api: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
    legacy_rows: Legacy,
) -> None:
    reference = f"LC-{legacy_rows.first + 1}"
    response = await edit_client(
        reference, {"email": "anna@example.com"}, None, people[0], _ours(clients_api, people), side
    )
    assert response.status_code == 200, response.content
    edited = json.loads(response.content)
    assert edited["external_id"] == reference
    assert edited["email"] == "anna@example.com"
    assert edited["version"] == 2
    assert edited["display_name"] == f"{legacy_rows.surname}а Анна Петровна"


async def test_two_edits_of_one_legacy_record_at_once(
    clients_api: httpx.AsyncClient,
    side: LegacySide,
    people: tuple[httpx.Auth, httpx.Auth],
    legacy_rows: Legacy,
) -> None:
    reference = f"LC-{legacy_rows.first}"
    ours = _ours(clients_api, people)
    answers = await asyncio.gather(
        edit_client(reference, {"email": "a@example.com"}, None, people[0], ours, side),
        edit_client(reference, {"email": "b@example.com"}, None, people[0], ours, side),
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 412], [a.content for a in answers]
    held = await ours.clients.held([reference], people[1])
    assert list(held) == [reference], "moved in once"
    assert held[reference].version == 2, "one edit applied, the other refused cleanly"


async def test_an_unknown_legacy_id_is_404_and_remembered(
    clients_api: httpx.AsyncClient, side: LegacySide, people: tuple[httpx.Auth, httpx.Auth]
) -> None:
    with pytest.raises(Exception, match="has no customer"):
        await edit_client("LC-1999999999", {}, None, people[0], _ours(clients_api, people), side)
    remembered = await side.cache.peek("customer:1999999999")
    assert remembered is not None
    assert remembered.value is None, "the miss is cached (negative entry)"
    ttl = await side.cache.redis.pttl("sd:legacy-cache:" + side.cache.name + ":customer:1999999999")
    assert 0 < ttl <= side.cache.negative_ttl_s * 1000 * 1.1
