"""Write sessions on the primary, read sessions on the standby, and read-your-writes between them.

`WriteSession` and `ReadSession` are distinct types so a route cannot use one for the other by
accident. After a user's write commits, the primary's WAL position is remembered in Redis for that
user; that user's next reads go to the standby only once it has replayed that far (waiting a
little), otherwise to the primary.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from servicedesk.kernel.settings import DatabaseSettings

log = logging.getLogger(__name__)
_UNREACHABLE = (OSError, DBAPIError, InterfaceError)


class WriteSession(AsyncSession):
    """A transaction on the primary. The request or consumer that owns it commits; nobody else."""


class ReadSession(AsyncSession):
    """Read-only statements, on the standby when it is current enough for the reader.

    Each statement runs on its own (autocommit): reads spanning several statements do not
    share one snapshot.
    """

    source: str = "primary"


class ReadSource(enum.Enum):
    ANY = "any"
    PRIMARY_ONLY = "primary-only"


class WriteMarks:
    """Remembers, per reader, the WAL position their last write reached (shared through Redis)."""

    def __init__(self, redis: Redis | None, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    @staticmethod
    def _key(reader: str) -> str:
        return f"sd:read-your-writes:{reader}"

    async def remember(self, reader: str, lsn: str) -> None:
        if self.redis is None:
            return
        try:
            await self.redis.set(self._key(reader), lsn, ex=self.ttl_s)
        except RedisError:
            log.warning("could not record the write position for read-your-writes")

    async def needed_lsn(self, reader: str) -> str | ReadSource:
        if self.redis is None:
            return ReadSource.PRIMARY_ONLY
        try:
            value = await self.redis.get(self._key(reader))
        except RedisError:
            return ReadSource.PRIMARY_ONLY
        if value is None:
            return ReadSource.ANY
        return value.decode() if isinstance(value, bytes) else str(value)


def _engine(url: str, settings: DatabaseSettings) -> AsyncEngine:
    return create_async_engine(
        url, pool_size=settings.pool_size, max_overflow=settings.pool_size, pool_recycle=1800
    )


def _read_engine(url: str, settings: DatabaseSettings) -> AsyncEngine:
    """Reads run each statement on its own, read-only: one round trip, no BEGIN/ROLLBACK. Each
    is planned with its values (a prepared statement's generic plan may scan a whole table for
    a date range that the actual date would serve from an index)."""
    return create_async_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
        connect_args={
            "server_settings": {
                "default_transaction_read_only": "on",
                "plan_cache_mode": "force_custom_plan",
            }
        },
    )


class Database:
    def __init__(self, settings: DatabaseSettings, redis: Redis | None) -> None:
        self.settings = settings
        self.primary = _engine(settings.primary_url.get_secret_value(), settings)
        self.primary_reads = _read_engine(settings.primary_url.get_secret_value(), settings)
        self.standby = (
            _read_engine(settings.standby_url.get_secret_value(), settings)
            if settings.standby_url
            else None
        )
        self.marks = WriteMarks(redis, settings.read_your_writes_ttl_s)
        self._writes = async_sessionmaker(self.primary, class_=WriteSession, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.primary.dispose()
        await self.primary_reads.dispose()
        if self.standby is not None:
            await self.standby.dispose()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteSession]:
        """A transaction that commits when the block ends without error (no read-your-writes)."""
        async with self._writes() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write_for(self, reader_of: Callable[[], str | None]) -> AsyncIterator[WriteSession]:
        """Like `write`, and afterwards makes the reader's next reads see this write.

        The reader is asked for after the work, since authentication may happen during it.
        """
        async with self._writes() as session:
            async with session.begin():
                yield session
                wrote = await session.scalar(text("select pg_current_xact_id_if_assigned()"))
            reader = reader_of()
            if reader and wrote is not None:
                lsn = await session.scalar(text("select pg_current_wal_lsn()::text"))
                await session.rollback()
                await self.marks.remember(reader, str(lsn))

    @asynccontextmanager
    async def read(self, reader: str | None = None) -> AsyncIterator[ReadSession]:
        engine = await self._engine_for_reader(reader)
        try:
            session = await self._open_read(engine)
        except _UNREACHABLE as exc:
            if engine is self.primary_reads:
                raise
            log.warning("standby unreachable; reading from the primary", extra={"error": str(exc)})
            session = await self._open_read(self.primary_reads)
        try:
            yield session
        finally:
            await session.close()

    async def _open_read(self, engine: AsyncEngine) -> ReadSession:
        session = ReadSession(bind=engine, expire_on_commit=False)
        session.source = "standby" if engine is self.standby else "primary"
        try:
            await session.connection()
        except BaseException:
            await session.close()
            raise
        return session

    async def _engine_for_reader(self, reader: str | None) -> AsyncEngine:
        if self.standby is None:
            return self.primary_reads
        needed = await self.marks.needed_lsn(reader) if reader else ReadSource.ANY
        if needed is ReadSource.ANY:
            return self.standby
        if needed is ReadSource.PRIMARY_ONLY:
            return self.primary_reads
        try:
            caught_up = await self._standby_reaches(needed)
        except _UNREACHABLE as exc:
            log.warning("standby unreachable; reading from the primary", extra={"error": str(exc)})
            return self.primary_reads
        return self.standby if caught_up else self.primary_reads

    async def _standby_reaches(self, lsn: str) -> bool:
        assert self.standby is not None
        deadline = time.monotonic() + self.settings.replica_wait_ms / 1000
        query = text(
            "select coalesce(pg_last_wal_replay_lsn() >= cast(cast(:lsn as text) as pg_lsn), true)"
        )
        async with self.standby.connect() as connection:
            while True:
                if await connection.scalar(query, {"lsn": lsn}):
                    return True
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(0.01)

    async def replication_status(self) -> dict[str, Any]:
        if self.standby is None:
            return {"standby": "not configured"}
        async with self.standby.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "select pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                        " extract(epoch from now() - pg_last_xact_replay_timestamp())"
                    )
                )
            ).one()
        lag = None if row[2] is None else round(float(row[2]), 3)
        return {"in_recovery": row[0], "replay_lsn": row[1], "seconds_since_replay": lag}
