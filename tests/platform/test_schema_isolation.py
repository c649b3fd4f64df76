"""Least privilege: each service's role reaches its own schema and nothing else."""

from __future__ import annotations

import itertools

import asyncpg
import pytest

from servicedesk.ops.catalogue import DATABASE, SCHEMA_SERVICES, local_password

SCHEMAS = [s.name for s in SCHEMA_SERVICES]


async def _connect(role: str, port: int = 5432) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1", port=port, user=role, password=local_password(role), database=DATABASE
    )


@pytest.mark.parametrize(
    ("role", "schema"),
    [(a, b) for a, b in itertools.permutations(SCHEMAS, 2)]
    + [(f"{a}_owner", b) for a, b in itertools.permutations(SCHEMAS, 2)],
)
async def test_a_service_role_cannot_read_another_schema(role: str, schema: str) -> None:
    connection = await _connect(role)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.fetch(f"select * from {schema}.outbox limit 1")
    finally:
        await connection.close()


@pytest.mark.parametrize("schema", SCHEMAS)
async def test_a_service_role_reads_and_writes_its_own_tables(schema: str) -> None:
    connection = await _connect(schema)
    try:
        async with connection.transaction():
            await connection.execute(
                f"insert into {schema}.processed_messages (consumer, message_id)"
                " values ('isolation-test', gen_random_uuid()::text)"
            )
            assert await connection.fetchval(f"select count(*) from {schema}.processed_messages")
            raise _Rollback
    except _Rollback:
        pass
    finally:
        await connection.close()


@pytest.mark.parametrize("schema", SCHEMAS)
async def test_a_service_role_cannot_change_the_schema(schema: str) -> None:
    connection = await _connect(schema)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"create table {schema}.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"drop table {schema}.outbox")
    finally:
        await connection.close()


@pytest.mark.parametrize("schema", SCHEMAS)
async def test_the_standby_serves_the_same_roles_read_only(schema: str) -> None:
    connection = await _connect(schema, port=5433)
    try:
        assert await connection.fetchval("select pg_is_in_recovery()") is True
        await connection.fetch(f"select * from {schema}.outbox limit 1")
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await connection.execute(
                f"insert into {schema}.processed_messages values ('x', 'y', now())"
            )
    finally:
        await connection.close()


async def test_public_schema_is_closed_to_service_roles() -> None:
    connection = await _connect(SCHEMAS[0])
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("create table public.intruder (id int)")
    finally:
        await connection.close()


class _Rollback(Exception):
    pass
