"""The user and group directory, read from the real Keycloak with the tickets service account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from redis.asyncio import Redis

from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.kernel.state import kernel_state
from servicedesk.tickets.app import create_app
from servicedesk.tickets.directory.cache import CACHE_PREFIX
from servicedesk.tickets.directory.errors import DirectoryUnavailable
from servicedesk.tickets.directory.repository import KeycloakDirectory
from servicedesk.tickets.state import tickets_state
from tests.support.apps import serve
from tests.support.infra import REDIS_URL
from tests.support.tokens import TokenShop, bearer

USERS = "/api/v1/directory/users"
GROUPS = "/api/v1/directory/groups"
UNREACHABLE = "http://127.0.0.1:9"
STAFF = {"agent1", "agent2", "supervisor1", "admin1"}


@pytest.fixture(scope="module")
async def directory_api() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app()) as client:
        yield client


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return bearer(await tokens.access("agent1"))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, socket_timeout=2)
    yield client
    await client.aclose()


async def _subject(tokens: TokenShop, username: str) -> str:
    claims = jwt.decode(await tokens.access(username), options={"verify_signature": False})
    return str(claims["sub"])


async def test_assignable_users_are_agents_supervisors_and_admins(
    directory_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await directory_api.get(USERS, headers=agent)
    assert response.status_code == 200, response.text
    users = response.json()
    usernames = {u["username"] for u in users}
    assert usernames >= STAFF, "agent directly, or through supervisor / admin"
    assert "reporter1" not in usernames
    assert not any(name.startswith("service-account-") for name in usernames)
    assert set(users[0]) == {"id", "username", "display_name", "email"}
    names = [u["display_name"] for u in users]
    assert names == sorted(names, key=str.casefold)
    agent1 = next(u for u in users if u["username"] == "agent1")
    assert agent1["display_name"] == "Иван Петров"
    assert agent1["email"] == "agent1@example.com"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agent", {"agent1", "agent2"}),
        ("пЕТРОВ", {"agent1"}),  # the name, in any case
        ("SUPERVISOR1@example", {"supervisor1"}),  # the email
        ("Admin1", {"admin1"}),
        ("reporter1", set()),  # not assignable, whatever the query
        ("nobody-at-all", set()),
    ],
)
async def test_assignable_users_filtered_by_query(
    directory_api: httpx.AsyncClient, agent: dict[str, str], query: str, expected: set[str]
) -> None:
    response = await directory_api.get(USERS, params={"q": query}, headers=agent)
    assert response.status_code == 200, response.text
    assert {u["username"] for u in response.json()} == expected


async def test_assignable_users_limited(
    directory_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await directory_api.get(USERS, params={"limit": 2}, headers=agent)
    assert response.status_code == 200, response.text
    assert len(response.json()) == 2
    too_many = await directory_api.get(USERS, params={"limit": 201}, headers=agent)
    assert too_many.status_code == 422


async def test_user_with_effective_roles_and_groups(
    directory_api: httpx.AsyncClient, agent: dict[str, str], tokens: TokenShop
) -> None:
    supervisor = await directory_api.get(
        f"{USERS}/{await _subject(tokens, 'supervisor1')}", headers=agent
    )
    assert supervisor.status_code == 200, supervisor.text
    body = supervisor.json()
    assert body["username"] == "supervisor1"
    assert body["enabled"] is True
    assert {"supervisor", "agent"} <= set(body["roles"]), "agent comes through the composite"
    assert "admin" not in body["roles"]
    assert [g["name"] for g in body["groups"]] == ["supervisors"]
    assert body["groups"][0]["path"] == "/supervisors"

    reporter = await directory_api.get(
        f"{USERS}/{await _subject(tokens, 'reporter1')}", headers=agent
    )
    assert reporter.status_code == 200, reporter.text
    assert "reporter" in reporter.json()["roles"]
    assert "agent" not in reporter.json()["roles"]


async def test_unknown_and_malformed_user_ids(
    directory_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    missing = await directory_api.get(
        f"{USERS}/00000000-0000-0000-0000-000000000000", headers=agent
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    malformed = await directory_api.get(f"{USERS}/.hidden", headers=agent)
    assert malformed.status_code == 422, "ids go into Keycloak URLs: no dot segments"


async def test_groups_listed_and_filtered(
    directory_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await directory_api.get(GROUPS, headers=agent)
    assert response.status_code == 200, response.text
    groups = {g["name"]: g for g in response.json()}
    expected = {"first-line", "second-line", "supervisors", "administrators", "reporters"}
    assert set(groups) >= expected
    assert groups["first-line"]["path"] == "/first-line"
    filtered = await directory_api.get(GROUPS, params={"q": "LINE"}, headers=agent)
    assert {g["name"] for g in filtered.json()} == {"first-line", "second-line"}


@pytest.mark.parametrize("path", [USERS, GROUPS])
@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("agent1", 200),
        ("supervisor1", 200),  # agent through the composite role
        ("admin1", 200),
        ("reporter1", 403),
        ("service:channels", 200),  # its tokens are meant for tickets
        ("service:notifications", 200),
        ("service:clients", 401),  # a service whose tokens are not meant for tickets
        (None, 401),
    ],
)
async def test_who_may_read_the_directory(
    directory_api: httpx.AsyncClient,
    tokens: TokenShop,
    path: str,
    caller: str | None,
    status: int,
) -> None:
    headers: dict[str, str] = {}
    if caller is not None and caller.startswith("service:"):
        headers = bearer(await tokens.service(caller.removeprefix("service:")))
    elif caller is not None:
        headers = bearer(await tokens.access(caller))
    response = await directory_api.get(path, headers=headers)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"
    if status == 403:
        assert response.json()["type"].endswith("/missing-role")


async def test_keycloak_unreachable_is_503_not_500(agent: dict[str, str]) -> None:
    app = create_app()
    async with serve(app) as client:
        unreachable = KeycloakSettings.local("tickets").model_copy(update={"url": UNREACHABLE})
        tickets_state(app).directory = KeycloakDirectory(kernel_state(app).http, unreachable, None)
        for path in (USERS, f"{USERS}/00000000-0000-0000-0000-000000000000", GROUPS):
            response = await client.get(path, headers=agent)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("/directory-unavailable")
            assert int(response.headers["retry-after"]) > 0


async def test_adapter_raises_unavailable_for_every_read(http: httpx.AsyncClient) -> None:
    unreachable = KeycloakSettings.local("tickets").model_copy(update={"url": UNREACHABLE})
    directory = KeycloakDirectory(http, unreachable, None)
    with pytest.raises(DirectoryUnavailable):
        await directory.assignable_users(None, 10)
    with pytest.raises(DirectoryUnavailable):
        await directory.find_user_by_username("agent1")
    with pytest.raises(DirectoryUnavailable):
        await directory.get_group("some-group")
    with pytest.raises(DirectoryUnavailable):
        await directory.user_group_ids("some-user")


async def test_adapter_reads_users_and_groups(http: httpx.AsyncClient) -> None:
    directory = KeycloakDirectory(http, KeycloakSettings.local("tickets"), None)
    supervisor = await directory.find_user_by_username("Supervisor1")
    assert supervisor is not None
    assert supervisor.username == "supervisor1"
    assert supervisor.has_any_role("agent")
    assert supervisor.group_names == ("supervisors",)
    assert await directory.user_group_ids(supervisor.id) == list(supervisor.group_ids)
    group = await directory.get_group(supervisor.group_ids[0])
    assert group is not None
    assert group.path == "/supervisors"
    assert await directory.get_group("no-such-group") is None
    assert await directory.get_user("no-such-user") is None
    assert await directory.get_user("..") is None
    assert await directory.find_user_by_username("nobody-at-all") is None
    assert await directory.user_group_ids("no-such-user") == []
    admins = await directory.assignable_users("admin1", 10)
    assert [u.username for u in admins] == ["admin1"]
    assert admins[0].roles == {"admin", "supervisor", "agent"}


async def test_answers_are_shared_through_redis(http: httpx.AsyncClient, redis: Redis) -> None:
    await redis.delete(f"{CACHE_PREFIX}assignable", f"{CACHE_PREFIX}groups")
    warm = KeycloakDirectory(http, KeycloakSettings.local("tickets"), redis)
    users = await warm.assignable_users(None, 100)
    ttl = await redis.ttl(f"{CACHE_PREFIX}assignable")
    assert 0 < ttl <= 30
    # Another replica, which cannot reach Keycloak, answers from the shared cache.
    unreachable = KeycloakSettings.local("tickets").model_copy(update={"url": UNREACHABLE})
    replica = KeycloakDirectory(http, unreachable, redis)
    assert await replica.assignable_users(None, 100) == users
    assert await replica.groups(None) == await warm.groups(None)


async def test_works_uncached_when_redis_is_down(http: httpx.AsyncClient) -> None:
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=1, socket_connect_timeout=1)
    try:
        directory = KeycloakDirectory(http, KeycloakSettings.local("tickets"), down)
        usernames = {u.username for u in await directory.assignable_users(None, 100)}
        assert usernames >= STAFF
        assert {g.name for g in await directory.groups("line")} == {"first-line", "second-line"}
    finally:
        await down.aclose()


async def test_a_rejected_service_token_is_replaced_once(http: httpx.AsyncClient) -> None:
    """After the realm is re-created, the cached service token is refused: fetch a new one."""
    directory = KeycloakDirectory(http, KeycloakSettings.local("tickets"), None)
    credentials = directory._credentials
    credentials._token = "not-a-token-keycloak-accepts"
    credentials._expires_at = float("inf")
    groups = await directory.groups(None)
    assert {g.name for g in groups} >= {"first-line", "supervisors"}
