"""Creates the database, one schema per service, and per service two roles, least privilege.

`<svc>_owner` owns the schema and runs its migrations; `<svc>` is what the service logs in as:
it may read and write the tables of its own schema and nothing else.
"""

from __future__ import annotations

import asyncpg

from servicedesk.ops.catalogue import DATABASE, SCHEMA_SERVICES, ServiceInfo, local_password


def admin_dsn(database: str = "postgres", port: int = 5432) -> str:
    return f"postgresql://servicedesk_admin:local-servicedesk_admin@127.0.0.1:{port}/{database}"


async def _ensure_role(connection: asyncpg.Connection, role: str) -> None:
    exists = await connection.fetchval("select 1 from pg_roles where rolname = $1", role)
    password = local_password(role).replace("'", "''")
    verb = "alter" if exists else "create"
    await connection.execute(f"{verb} role \"{role}\" login password '{password}'")


async def _ensure_database(name: str, owner: str | None = None) -> None:
    """UTF-8 with a Unicode-aware ctype, whatever the machine's locale: Cyrillic must fold."""
    connection = await asyncpg.connect(admin_dsn())
    try:
        if not await connection.fetchval("select 1 from pg_database where datname = $1", name):
            suffix = f' owner "{owner}"' if owner else ""
            await connection.execute(
                f"create database \"{name}\"{suffix} template template0 encoding 'UTF8'"
                " lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'"
            )
        await connection.execute(f'revoke all on database "{name}" from public')
    finally:
        await connection.close()


def _grants(service: ServiceInfo, database: str) -> list[str]:
    schema, owner, runtime = service.name, service.owner_role, service.runtime_role
    return [
        f'create schema if not exists "{schema}" authorization "{owner}"',
        f'alter schema "{schema}" owner to "{owner}"',
        f'grant connect on database "{database}" to "{owner}", "{runtime}"',
        f'revoke all on schema "{schema}" from public',
        f'grant usage on schema "{schema}" to "{runtime}"',
        f'alter role "{owner}" set search_path = "{schema}", public',
        f'alter role "{runtime}" set search_path = "{schema}", public',
        f'alter default privileges for role "{owner}" in schema "{schema}"'
        f' grant select, insert, update, delete on tables to "{runtime}"',
        f'alter default privileges for role "{owner}" in schema "{schema}"'
        f' grant usage, select on sequences to "{runtime}"',
        f'grant select, insert, update, delete on all tables in schema "{schema}" to "{runtime}"',
        f'grant usage, select on all sequences in schema "{schema}" to "{runtime}"',
    ]


async def provision(database: str = DATABASE) -> list[str]:
    """Idempotent; returns the schemas it made sure of. The roles are the cluster's, shared by
    every database (the demo's `servicedesk` and the tests' `servicedesk_test`)."""
    for role in ("keycloak",):
        connection = await asyncpg.connect(admin_dsn())
        try:
            await _ensure_role(connection, role)
        finally:
            await connection.close()
    await _ensure_database("keycloak", owner="keycloak")
    await _ensure_database(database)
    connection = await asyncpg.connect(admin_dsn(database))
    try:
        await connection.execute("revoke create on schema public from public")
        await connection.execute("create extension if not exists pg_trgm")
        for service in SCHEMA_SERVICES:
            async with connection.transaction():
                await _ensure_role(connection, service.owner_role)
                await _ensure_role(connection, service.runtime_role)
                for statement in _grants(service, database):
                    await connection.execute(statement)
    finally:
        await connection.close()
    return [s.name for s in SCHEMA_SERVICES]
