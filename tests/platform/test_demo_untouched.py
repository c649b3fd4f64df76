"""The tests keep to their own data, and leave the demo data as `./sd up` made them.

tests/conftest.py takes the demo data's fingerprint (servicedesk/ops/debris.py: schemas, and
counts, digests and names of clients, orders, legacy customers and orders, incidents, problems,
comments, attachments, filters and boards; the realm's users and clients) when the session
starts, and runs this module after every other test, the web and browser tests included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from redis.asyncio import Redis

from servicedesk.clients.settings import ClientsSettings
from servicedesk.kernel.settings import ServiceSettings
from servicedesk.ops.catalogue import DATABASE, DEMO_DATABASE
from servicedesk.ops.debris import (
    clean_demo,
    delete_test_keys,
    differences,
    find_debris,
    fingerprint,
)
from servicedesk.ops.provision import admin_dsn
from servicedesk.tickets.settings import TicketsSettings
from tests.support.demo import DEMO_BEFORE
from tests.support.isolation import TEST_ATTACHMENTS, TEST_DATABASE, TEST_REDIS_URL, TEST_VHOST

PROBE = "servicedesk_debris_probe"


def test_every_service_setting_points_at_the_tests_own_data() -> None:
    assert DATABASE == TEST_DATABASE != DEMO_DATABASE
    settings = ClientsSettings()
    assert settings.db.primary_url.get_secret_value().split("?")[0].endswith(f"/{TEST_DATABASE}")
    standby = settings.db.standby_url
    assert standby is not None
    assert standby.get_secret_value().split("?")[0].endswith(f"/{TEST_DATABASE}")
    assert settings.redis.url.get_secret_value() == TEST_REDIS_URL
    assert settings.broker.url.get_secret_value().endswith(f"/{TEST_VHOST}")
    assert TicketsSettings().attachments_dir == TEST_ATTACHMENTS
    bare = ServiceSettings()
    assert bare.redis.url.get_secret_value() == TEST_REDIS_URL
    assert bare.broker.url.get_secret_value().endswith(f"/{TEST_VHOST}")


@pytest.fixture
async def probe() -> AsyncIterator[asyncpg.Connection]:
    """A throwaway database shaped like a demo database that tests wrote into."""
    server = await asyncpg.connect(admin_dsn())
    try:
        await server.execute(f"drop database if exists {PROBE} with (force)")
        await server.execute(f"create database {PROBE}")
        connection = await asyncpg.connect(admin_dsn(PROBE))
        try:
            yield connection
        finally:
            await connection.close()
    finally:
        await server.execute(f"drop database if exists {PROBE} with (force)")
        await server.close()


async def test_a_demo_database_without_traces_of_tests_is_left_alone(
    probe: asyncpg.Connection,
) -> None:
    await probe.execute(
        "create schema clients; create table clients.clients (display_name text);"
        "insert into clients.clients values ('ООО «Ромашка»'), ('Facade Decade 123456'),"
        " ('Отклик < 5 с, ABCDEF12');"
    )
    report = await clean_demo(PROBE, keycloak=False, redis_url=None)
    assert not report.tests_wrote
    assert await probe.fetchval("select count(*) from clients.clients") == 3


async def test_test_debris_is_found_and_the_demo_tables_emptied(
    probe: asyncpg.Connection,
) -> None:
    await probe.execute(
        "create schema kernel_test; create table kernel_test.notes (n int);"
        "create schema tickets; create table tickets.alembic_version (v text);"
        "insert into tickets.alembic_version values ('head');"
        "create table tickets.incidents (title text);"
        "insert into tickets.incidents values ('Сбой печати'), ('Incident 3fa2b4c1d9e0');"
        # A truncate trigger emptying another table, as legacy's name tails have.
        "create table tickets.words (w text); insert into tickets.words values ('сбой');"
        "create function tickets.empty_words() returns trigger language plpgsql"
        " as $$ begin truncate tickets.words; return null; end $$;"
        "create trigger empty_words after truncate on tickets.incidents"
        " for each statement execute function tickets.empty_words();"
    )
    found = await find_debris(PROBE)
    assert found.debris_schemas == ["kernel_test"]
    assert found.marked_rows == {"tickets.incidents.title": 1}
    assert found.emptied_tables == ["tickets.incidents", "tickets.words"]
    await clean_demo(PROBE, keycloak=False, redis_url=None)
    schemas = await probe.fetch("select nspname from pg_namespace where nspname = 'kernel_test'")
    assert schemas == []
    assert await probe.fetchval("select count(*) from tickets.incidents") == 0
    assert await probe.fetchval("select count(*) from tickets.words") == 0
    assert await probe.fetchval("select v from tickets.alembic_version") == "head"


async def test_the_demo_data_are_as_the_session_found_them(request: pytest.FixtureRequest) -> None:
    before = request.config.stash.get(DEMO_BEFORE, None)
    if before is None:
        pytest.skip(f"no database {DEMO_DATABASE} (no `./sd up` here): nothing to compare")
    after = await fingerprint(DEMO_DATABASE)
    assert differences(before, after) == []
    assert before == after


async def test_redis_keys_of_tests_are_deleted_and_no_other() -> None:
    url = "redis://127.0.0.1:6379/2"  # neither the demo's (0) nor the tests' (1)
    client = Redis.from_url(url)
    try:
        await client.flushdb()
        await client.set("sd:breaker:test-1465f13a:tripped", "1")
        await client.set("sd:legacy-cache:test:customer:7", "{}")
        await client.set("web:session:3fa2b4c1", "{}")
        await client.set("sd:legacy:faults", "{}")
        assert await delete_test_keys(url) == 2
        assert sorted(await client.keys("*")) == [b"sd:legacy:faults", b"web:session:3fa2b4c1"]
    finally:
        await client.flushdb()
        await client.aclose()
