"""Read routing against the real standby, with its WAL replay paused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import text

from servicedesk.kernel.db import Database, ReadSession, WriteSession
from servicedesk.kernel.settings import DatabaseSettings
from tests.support.infra import REDIS_URL, STANDBY_PORT, admin_connection, admin_url


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[Database]:
    admin = await admin_connection()
    await admin.execute(
        "create schema if not exists kernel_test;"
        "create table if not exists kernel_test.notes (id uuid primary key, body text not null)"
    )
    await admin.close()
    redis = Redis.from_url(REDIS_URL)
    settings = DatabaseSettings(
        primary_url=SecretStr(admin_url(driver="postgresql+asyncpg")),
        standby_url=SecretStr(admin_url(STANDBY_PORT, driver="postgresql+asyncpg")),
        replica_wait_ms=100,
    )
    db = Database(settings, redis)
    yield db
    await db.dispose()
    await redis.aclose()


@pytest.fixture
async def paused_standby() -> AsyncIterator[None]:
    standby = await admin_connection(STANDBY_PORT)
    await standby.execute("select pg_wal_replay_pause()")
    try:
        yield
    finally:
        await standby.execute("select pg_wal_replay_resume()")
        await standby.close()


async def _note_exists(session: ReadSession, note_id: uuid.UUID) -> bool:
    found = await session.scalar(
        text("select count(*) from kernel_test.notes where id = :id"), {"id": note_id}
    )
    return bool(found)


async def _write_note(db: Database, reader: str) -> uuid.UUID:
    note_id = uuid.uuid4()
    async with db.write_for(lambda: reader) as session:
        assert isinstance(session, WriteSession)
        await session.execute(
            text("insert into kernel_test.notes values (:id, 'hello')"), {"id": note_id}
        )
    return note_id


def test_sessions_are_distinct_types() -> None:
    assert not issubclass(ReadSession, WriteSession)
    assert not issubclass(WriteSession, ReadSession)


async def test_reads_go_to_the_standby_when_nothing_was_written(database: Database) -> None:
    async with database.read(f"reader-{uuid.uuid4()}") as session:
        assert session.source == "standby"
        assert await session.scalar(text("select pg_is_in_recovery()")) is True


async def test_writer_reads_own_write_while_standby_is_paused(
    database: Database, paused_standby: None
) -> None:
    alice, bob = f"alice-{uuid.uuid4()}", f"bob-{uuid.uuid4()}"
    note_id = await _write_note(database, alice)

    async with database.read(alice) as session:
        assert session.source == "primary"
        assert await _note_exists(session, note_id)

    async with database.read(bob) as session:
        assert session.source == "standby"
        assert not await _note_exists(session, note_id), "the paused standby must lag"


async def test_writer_returns_to_the_standby_once_it_replayed(database: Database) -> None:
    standby = await admin_connection(STANDBY_PORT)
    await standby.execute("select pg_wal_replay_pause()")
    alice = f"alice-{uuid.uuid4()}"
    try:
        note_id = await _write_note(database, alice)
    finally:
        await standby.execute("select pg_wal_replay_resume()")
        await standby.close()
    for _ in range(100):
        async with database.read(alice) as session:
            if session.source == "standby":
                assert await _note_exists(session, note_id)
                return
        await asyncio.sleep(0.05)
    pytest.fail("reads never returned to the standby after it caught up")


async def test_read_sessions_refuse_writes(database: Database) -> None:
    async with database.read(None) as session:
        with pytest.raises(Exception, match="read-only"):
            await session.execute(
                text("insert into kernel_test.notes values (gen_random_uuid(), 'x')")
            )


async def test_reads_fall_back_to_the_primary_when_the_standby_is_down() -> None:
    settings = DatabaseSettings(
        primary_url=SecretStr(admin_url(driver="postgresql+asyncpg")),
        standby_url=SecretStr(admin_url(5499, driver="postgresql+asyncpg")),
    )
    redis = Redis.from_url(REDIS_URL)
    db = Database(settings, redis)
    try:
        async with db.read(f"reader-{uuid.uuid4()}") as session:
            assert session.source == "primary"
            assert await session.scalar(text("select pg_is_in_recovery()")) is False
    finally:
        await db.dispose()
        await redis.aclose()
