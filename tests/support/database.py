"""The tests' own database (`servicedesk_test`), provisioned and migrated to head when a test
session starts and finds it missing or behind: a new migration reaches it without a step by
hand. `./sd test` does the same before (scripts/bootstrap.sh), and also seeds its legacy
simulator; this is for plain `.venv/bin/pytest` runs."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic.script import ScriptDirectory

from servicedesk.ops.catalogue import SCHEMA_SERVICES
from servicedesk.ops.debris import database_exists
from servicedesk.ops.migrate import alembic_config, migrate_all
from servicedesk.ops.provision import admin_dsn, provision
from tests.support.isolation import TEST_DATABASE

LOCK = 72_410_001  # advisory lock: one session at a time prepares the database


async def _behind(database: str) -> list[str]:
    """The services whose schema is not at the head of their migrations."""
    connection = await asyncpg.connect(admin_dsn(database))
    try:
        behind = []
        for service in SCHEMA_SERVICES:
            heads = set(ScriptDirectory.from_config(alembic_config(service)).get_heads())
            table = f"{service.name}.alembic_version"
            applied: set[str] = set()
            if await connection.fetchval("select to_regclass($1) is not null", table):
                rows = await connection.fetch(f"select version_num from {table}")
                applied = {str(row["version_num"]) for row in rows}
            if applied != heads:
                behind.append(service.name)
        return behind
    finally:
        await connection.close()


async def prepare_test_database(database: str = TEST_DATABASE) -> list[str]:
    """Provisions and migrates the tests' database when needed; what it did."""
    server = await asyncpg.connect(admin_dsn())
    try:
        await server.execute("select pg_advisory_lock($1)", LOCK)
        done = []
        if not await database_exists(database):
            await provision(database)
            done.append(f"provisioned {database}")
        behind = await _behind(database)
        if behind:
            await provision(database)  # idempotent: a new service's schema and role
            await asyncio.to_thread(migrate_all, database)
            done.append(f"migrated {', '.join(behind)}")
        return done
    finally:
        await server.execute("select pg_advisory_unlock($1)", LOCK)
        await server.close()
