"""Alembic support shared by every service: one schema, its own version table, async engine.

A service's `migrations/env.py` is two lines: import its metadata, call `run_migrations`.
"""

from __future__ import annotations

import asyncio

from alembic import context, op
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from servicedesk.kernel.events import outbox_table, processed_messages_table


def run_migrations(metadata: MetaData, schema: str) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url must name the schema owner's connection")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, schema))


async def _run_online(url: str, metadata: MetaData, schema: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, metadata, schema)
        await connection.commit()
    await engine.dispose()


def _migrate(connection: Connection, metadata: MetaData, schema: str) -> None:
    connection.execute(text(f'set search_path to "{schema}"'))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def create_event_tables(schema: str) -> None:
    """The outbox and processed-messages tables, as of kernel event schema version 1."""
    metadata = MetaData(schema=schema)
    for table in (outbox_table(metadata), processed_messages_table(metadata)):
        table.create(op.get_bind())


def drop_event_tables(schema: str) -> None:
    op.drop_table("processed_messages", schema=schema)
    op.drop_table("outbox", schema=schema)


def execute_all(script: str) -> None:
    """Runs a migration script statement by statement (asyncpg prepares one at a time).

    Statements end with a semicolon at the end of a line.
    """
    for statement in script.split(";\n"):
        if statement.strip():
            op.execute(statement)
