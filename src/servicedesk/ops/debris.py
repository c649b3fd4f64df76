"""The demo data: its fingerprint, and the debris that test runs left in it.

Since the tests have a database of their own (`servicedesk_test`), `./sd test` writes nothing into
the demo database `servicedesk`. Runs from before wrote into it; `./sd up` cleans it first
(`clean_demo`), by this rule:

1. Every schema that is neither a service schema of the catalogue nor `public` (nor a system one)
   is dropped: `kernel_test`, the seed tests' `seed_test_*`, …; only tests ever made them.
2. Tests have written into the service tables when step 1 found such a schema, or when a name or
   title carries a mark the demo seed never writes (`MARKS`): an HTML tag (`<script`, `<b>`,
   `<img`: the tests' escaping probes) or a word of 6–12 lowercase hexadecimal digits mixing
   digits and letters (the tests' unique names: "Incident 3fa2b4c1d9e0", "Справка 81eb16ba").
   Their rows are mixed with the seeded ones and with those a person made in the console, and
   most carry no mark (of 29 clients one test run left, 3 did): no rule tells them apart
   reliably, so every table of the service schemas (`alembic_version` apart) is emptied, and
   the seeding that follows in `./sd up` loads the demo data again, exactly as on a first run.
3. The realm's Keycloak clients whose client id starts with `test-` (throwaway clients of the
   token tests, deleted by them unless a run was killed) are deleted, and so are the keys of the
   demo's Redis (db 0) with a `test-` or `test` part (`sd:breaker:test-1465f13a:tripped`,
   `sd:legacy-cache:test:customer:…`): breakers, caches and marks of tests, never the demo's.

4. Notifications and watchers of incidents or problems that no longer exist are deleted: the
   events log keeps the events of records step 2 removed (or a benchmark made and removed), and
   the notifications service, catching up from it, would show them in people's bells.

A demo database without such traces is left as it is: what a person did in the console stays.

The fingerprint (`fingerprint`) is what the demo data consist of: the schemas, and for clients,
orders, the legacy customers and orders, incidents, problems, comments, attachments, saved
filters and boards the count, a digest of the rows' identity and editable fields, and the names
(for tables of up to `NAMES_UP_TO` rows); plus the realm's usernames and client ids. Columns that
the running demo stack changes by itself (SLA breach times, versions of incidents bumped by the
SLA watcher, history, outboxes, caches) are left out. `./sd up` writes it to
var/demo-fingerprint.json for `servicedesk-ops demo check`; the test session takes one when it
starts and compares at its end (tests/platform/test_demo_untouched.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from servicedesk.ops.catalogue import DEMO_DATABASE, SCHEMA_SERVICES
from servicedesk.ops.keycloak_realm import (
    RealmSyncError,
    admin_session,
    delete_clients,
    realm_inventory,
)
from servicedesk.ops.provision import admin_dsn

REALM = "servicedesk"
TEST_CLIENT_PREFIX = "test-"
DEMO_REDIS_URL = "redis://127.0.0.1:6379/0"
TEST_REDIS_KEYS = ("*:test-*", "*:test:*", "test-*", "test:*")
NAMES_UP_TO = 2_000
SYSTEM_SCHEMAS = frozenset({"public", "information_schema"})
HEX_WORD = r"\m(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{6,12}\M"
HTML_TAG = r"<[A-Za-z/!]"
MARKS = (
    ("clients.clients", "display_name"),
    ("orders.orders", "client_name"),
    ("legacy.customers", "full_name"),
    ("tickets.incidents", "title"),
    ("tickets.problems", "title"),
    ("tickets.saved_filters", "name"),
    ("tickets.boards", "name"),
)


@dataclass(frozen=True, slots=True)
class Entity:
    label: str
    table: str
    fields: str  # what identifies a row and what editing it changes, as SQL expressions
    name: str | None = None  # the column people read, listed for small tables


ENTITIES = (
    Entity("clients", "clients.clients", "id::text, display_name, version", "display_name"),
    Entity("orders", "orders.orders", "id::text, number, status, client_id::text", "number"),
    Entity("legacy customers", "legacy.customers", "customer_id, full_name, modified_at"),
    Entity("legacy orders", "legacy.orders", "order_id, order_no, state"),
    Entity(
        "incidents",
        "tickets.incidents",
        "id::text, title, status, priority, assignee_username, problem_id::text, resolution",
        "title",
    ),
    Entity("problems", "tickets.problems", "id::text, title, status, version", "title"),
    Entity("comments", "tickets.comments", "id::text, body"),
    Entity("attachments", "tickets.attachments", "id::text, filename", "filename"),
    Entity("filters", "tickets.saved_filters", "id::text, name, version", "name"),
    Entity("boards", "tickets.boards", "id::text, name, version", "name"),
)


def is_debris_schema(name: str) -> bool:
    service_schemas = {s.name for s in SCHEMA_SERVICES}
    system = name in SYSTEM_SCHEMAS or name.startswith("pg_")
    return not system and name not in service_schemas


async def _schemas(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        "select nspname from pg_namespace where nspname !~ '^pg_'"
        " and nspname <> 'information_schema' order by 1"
    )
    return [str(row["nspname"]) for row in rows]


async def _exists(connection: asyncpg.Connection, table: str) -> bool:
    return bool(await connection.fetchval("select to_regclass($1) is not null", table))


async def _entity(connection: asyncpg.Connection, entity: Entity) -> dict[str, Any] | None:
    if not await _exists(connection, entity.table):
        return None
    digest = "md5(coalesce(string_agg(r, chr(10) order by r), ''))"
    row = await connection.fetchrow(
        f"select count(*) as n, {digest} as digest from"  # noqa: S608 - constants of this module
        f" (select concat_ws('|', {entity.fields}) as r from {entity.table}) as rows"
    )
    assert row is not None
    result: dict[str, Any] = {"count": int(row["n"]), "digest": str(row["digest"])}
    if entity.name and result["count"] <= NAMES_UP_TO:
        names = await connection.fetch(
            f"select {entity.name} as name from {entity.table} order by 1"  # noqa: S608
        )
        result["names"] = [str(n["name"]) for n in names]
    return result


async def _keycloak() -> dict[str, list[str]] | None:
    try:
        async with admin_session() as client:
            return await realm_inventory(client, REALM)
    except (httpx.HTTPError, RealmSyncError):
        return None


async def database_exists(name: str = DEMO_DATABASE) -> bool:
    connection = await asyncpg.connect(admin_dsn())
    try:
        return bool(await connection.fetchval("select 1 from pg_database where datname=$1", name))
    finally:
        await connection.close()


async def fingerprint(database: str = DEMO_DATABASE, keycloak: bool = True) -> dict[str, Any]:
    """What the demo data consist of (see the module's docstring), as JSON-ready values."""
    connection = await asyncpg.connect(admin_dsn(database))
    try:
        entities = {e.label: await _entity(connection, e) for e in ENTITIES}
        schemas = await _schemas(connection)
    finally:
        await connection.close()
    realm = await _keycloak() if keycloak else None
    return {"database": database, "schemas": schemas, "entities": entities, "keycloak": realm}


def _listed(what: str, before: list[str], after: list[str]) -> list[str]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    lines = []
    if added:
        lines.append(f"{what}: added {len(added)}: {', '.join(added[:5])}")
    if removed:
        lines.append(f"{what}: removed {len(removed)}: {', '.join(removed[:5])}")
    return lines


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from one fingerprint to the other, one line each; empty when nothing did."""
    lines = _listed("schemas", before["schemas"], after["schemas"])
    for label, was in before["entities"].items():
        now = after["entities"].get(label)
        if was == now:
            continue
        if was is None or now is None:
            lines.append(f"{label}: table {'added' if was is None else 'gone'}")
            continue
        if was["count"] != now["count"]:
            lines.append(f"{label}: {was['count']} rows, now {now['count']}")
        names = _listed(f"{label} names", was.get("names", []), now.get("names", []))
        lines.extend(names)
        if was["count"] == now["count"] and not names:
            lines.append(f"{label}: rows changed (same count and names)")
    if before.get("keycloak") and after.get("keycloak"):
        for what in ("users", "clients"):
            was_k, now_k = before["keycloak"][what], after["keycloak"][what]
            lines.extend(_listed(f"keycloak {what}", was_k, now_k))
    return lines


@dataclass
class CleanReport:
    debris_schemas: list[str] = field(default_factory=list)
    marked_rows: dict[str, int] = field(default_factory=dict)
    emptied_tables: list[str] = field(default_factory=list)
    deleted_clients: list[str] = field(default_factory=list)
    keycloak_error: str | None = None
    redis_keys: int = 0
    orphan_notifications: int = 0

    @property
    def tests_wrote(self) -> bool:
        return bool(self.debris_schemas or self.marked_rows)


async def _marked_rows(connection: asyncpg.Connection) -> dict[str, int]:
    found = {}
    for table, column in MARKS:
        if not await _exists(connection, table):
            continue
        count = await connection.fetchval(
            f"select count(*) from {table} where {column} ~ $1 or {column} ~ $2",  # noqa: S608
            HEX_WORD,
            HTML_TAG,
        )
        if count:
            found[f"{table}.{column}"] = int(count)
    return found


async def _service_tables(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        "select format('%I.%I', schemaname, tablename) as name from pg_tables"
        " where schemaname = any($1::text[]) and tablename <> 'alembic_version' order by 1",
        [s.name for s in SCHEMA_SERVICES],
    )
    return [str(row["name"]) for row in rows]


async def find_debris(database: str = DEMO_DATABASE) -> CleanReport:
    """What `clean_demo` would remove, without removing anything (Keycloak apart)."""
    connection = await asyncpg.connect(admin_dsn(database))
    try:
        report = CleanReport()
        report.debris_schemas = [s for s in await _schemas(connection) if is_debris_schema(s)]
        report.marked_rows = await _marked_rows(connection)
        if report.tests_wrote:
            report.emptied_tables = await _service_tables(connection)
        return report
    finally:
        await connection.close()


ORPHANS = """
    with gone as (
        select n.seq from notifications.notifications n
        where (n.aggregate_type = 'incident'
               and not exists (select 1 from tickets.incidents i where i.id = n.aggregate_id))
           or (n.aggregate_type = 'problem'
               and not exists (select 1 from tickets.problems p where p.id = n.aggregate_id))
    ), dispatches as (
        delete from notifications.dispatches d using gone where d.notification_seq = gone.seq
    )
    delete from notifications.notifications n using gone where n.seq = gone.seq
"""
ORPHAN_WATCHERS = """
    delete from notifications.watchers w
    where (w.aggregate_type = 'incident'
           and not exists (select 1 from tickets.incidents i where i.id = w.aggregate_id))
       or (w.aggregate_type = 'problem'
           and not exists (select 1 from tickets.problems p where p.id = w.aggregate_id))
"""


async def delete_orphan_notifications(database: str) -> int:
    """Deletes notifications and watchers of items that no longer exist; how many went."""
    connection = await asyncpg.connect(admin_dsn(database))
    try:
        if not await _exists(connection, "notifications.notifications"):
            return 0
        async with connection.transaction():
            status = await connection.execute(ORPHANS)
            await connection.execute(ORPHAN_WATCHERS)
        return int(status.split()[-1])
    finally:
        await connection.close()


async def delete_test_keys(url: str) -> int:
    client = Redis.from_url(url, socket_timeout=5)
    deleted = 0
    try:
        for pattern in TEST_REDIS_KEYS:
            keys = [key async for key in client.scan_iter(match=pattern, count=1000)]
            deleted += int(await client.delete(*keys)) if keys else 0
    except RedisError:
        pass  # Redis is down: nothing of it to clean now
    finally:
        await client.aclose()
    return deleted


async def clean_demo(
    database: str = DEMO_DATABASE,
    dry_run: bool = False,
    keycloak: bool = True,
    redis_url: str | None = DEMO_REDIS_URL,
) -> CleanReport:
    """Removes the debris of test runs from the demo data by the module's rule."""
    report = await find_debris(database)
    if not dry_run and report.tests_wrote:
        connection = await asyncpg.connect(admin_dsn(database))
        try:
            async with connection.transaction():
                for schema in report.debris_schemas:
                    await connection.execute(f'drop schema "{schema}" cascade')
                # One by one: a table's truncate trigger may empty another (legacy name tails).
                for table in report.emptied_tables:
                    await connection.execute(f"truncate {table} restart identity cascade")
        finally:
            await connection.close()
    if not dry_run:
        report.orphan_notifications = await delete_orphan_notifications(database)
    if redis_url and not dry_run:
        report.redis_keys = await delete_test_keys(redis_url)
    if keycloak and not dry_run:
        try:
            async with admin_session() as client:
                report.deleted_clients = await delete_clients(client, REALM, TEST_CLIENT_PREFIX)
        except (httpx.HTTPError, RealmSyncError) as error:
            report.keycloak_error = str(error) or type(error).__name__
    return report
