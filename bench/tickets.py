"""Tickets: creating, listing and searching incidents through the real HTTP API beside the same
SQL alone.

Needs the stack (`./sd up`) and the benchmark data set:
    .venv/bin/servicedesk-ops seed incidents --count 1000000
Run:
    .venv/bin/python -m bench.tickets [--concurrency 16] [--seconds 10]

Each scenario runs at the given concurrency: first through the API with a real Keycloak token
of agent1, then the SQL alone with asyncpg as the service's own role. Creating is measured
against the same rows written in one transaction on the primary: the incident, its new problem,
three history rows, the idempotency key, two outbox events and the NOTIFY (the target: the API
at 30% or more of that rate); a bare INSERT of the incident alone is shown beside it, for
information. The reads are measured against the statement the API runs, on the standby, where
the API reads.

Incidents created through the API stay (they are ordinary incidents of agent1); the rows the
SQL baselines write are marked "bench" (created_by, actor, idempotency scope; their outbox
events by the ids kept) and deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from bench import wrk_driver
from bench.harness import Figures, closed_loop
from servicedesk.kernel.auth import Principal, principal_from_claims
from servicedesk.kernel.events import notify_channel
from servicedesk.kernel.settings import DatabaseSettings
from servicedesk.ops.keycloak_login import login_with_browser_flow
from servicedesk.ops.seeding.incident_text import ENGLISH, RUSSIAN, incident_text
from servicedesk.ops.seeding.incidents import PRIORITY_MATRIX, PRIORITY_RANK, SLA_S
from servicedesk.ops.seeding.names import reporter
from servicedesk.tickets.db import outbox
from servicedesk.tickets.fields import INCIDENT_PREFIX, PROBLEM_PREFIX, ticket_key
from servicedesk.tickets.incidents.events import INCIDENT_CREATED
from servicedesk.tickets.problems.events import PROBLEM_CREATED
from servicedesk.tickets.workflow import load_workflows

TICKETS_URL = os.environ.get("SD_BENCH_TICKETS_URL", "http://127.0.0.1:8001")
INCIDENTS_PATH = "/api/v1/incidents"
PRIMARY = "postgresql://tickets:local-tickets@127.0.0.1:5432/servicedesk"
STANDBY = "postgresql://tickets:local-tickets@127.0.0.1:5433/servicedesk"
BENCH_USER = "bench"  # created_by, actor and idempotency scope of the SQL rows, deleted after
CREATE_TARGET = 0.30  # creating through the API at ≥ 30% of the rate of the same rows in SQL
# After a user's write, the service checks for that long that the standby has replayed it before
# reading there (read-your-writes): reads measured sooner would pay that check.
READ_YOUR_WRITES_S = DatabaseSettings.model_fields["read_your_writes_ttl_s"].default

NEWEST = "select * from tickets.incidents order by created_at desc, id desc limit 50"
BY_STATUS_AND_ASSIGNEE = (
    "select * from tickets.incidents where status = $1 and assignee_username = $2"
    " order by created_at desc, id desc limit 50"
)
# What the service runs for ?q= (servicedesk.tickets.repository._text_match): the incidents whose
# own text or comments match, the comments' words being kept on the incident (notes_vector: all
# comments, as agent1 sees them); `--text-sql text-only` takes the incident's own text alone.
FULL_TEXT = {
    "service": (
        "select * from tickets.incidents"
        " where search_vector @@ tickets.text_query($1) or notes_vector @@ tickets.text_query($1)"
        " order by created_at desc, id desc limit 50"
    ),
    "text-only": (
        "select * from tickets.incidents where search_vector @@ tickets.text_query($1)"
        " order by created_at desc, id desc limit 50"
    ),
}
BARE_INSERT = """
insert into tickets.incidents (
    id, number, title, description, category, impact, urgency, priority, priority_rank,
    status, status_changed_at, channel, reporter_id, reporter_username, reporter_name,
    response_due_at, resolution_due_at, created_at, created_by, updated_at, updated_by
) values (
    $1, nextval('tickets.incident_numbers'), $2, $3, $4, $5, $6, $7, $8,
    'new', now(), 'api', 'agent1', 'agent1', $9,
    now() + make_interval(secs => $10), now() + make_interval(secs => $11),
    now(), $12, now(), $12
)
"""

# What register() writes for an incident with a new problem (servicedesk.tickets.incidents,
# .problems, .history, .events), one statement a table, in one transaction.
NUMBERS = "select nextval('tickets.incident_numbers'), nextval('tickets.problem_numbers')"
INSERT_PROBLEM = """
insert into tickets.problems (
    id, number, title, description, category, priority, priority_rank, status,
    status_changed_at, created_at, created_by, updated_at, updated_by
) values ($1, $2, $3, $4, $5, $6, $7, $8, now(), now(), $9, now(), $9)
"""
INSERT_INCIDENT = """
insert into tickets.incidents (
    id, number, title, description, category, impact, urgency, priority, priority_rank,
    status, status_changed_at, channel, reporter_id, reporter_username, reporter_name,
    reporter_email, reporter_phone, reporter_telegram_id, problem_id,
    response_due_at, resolution_due_at, created_at, created_by, updated_at, updated_by
) values (
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), 'api', $11, $12, $13, $14, $15, $16, $17,
    now() + make_interval(secs => $18), now() + make_interval(secs => $19),
    now(), $20, now(), $20
)
"""
INSERT_HISTORY = """
insert into tickets.history (ticket_kind, ticket_id, actor, field, old_value, new_value, note)
values ('problem', $1, $3, 'status', null, $4, $5),
       ('incident', $2, $3, 'status', null, $6, $7),
       ('incident', $2, $3, 'problem', null, $1::text, $8)
"""
INSERT_KEY = """
insert into tickets.idempotency_keys (scope, key, request_hash, incident_id)
values ($1, $2, $3, $4)
"""
INSERT_EVENTS = """
insert into tickets.outbox (
    id, aggregate_type, aggregate_id, event_type, payload, headers, occurred_at
) values ($1, 'problem', $2, $3, $4::jsonb, $9::jsonb, now()),
         ($5, 'incident', $6, $7, $8::jsonb, $9::jsonb, now())
"""
NOTIFY = "select pg_notify($1, '')"


@dataclass(frozen=True)
class Read:
    name: str
    params: dict[str, str]  # of GET /api/v1/incidents
    sql: str
    args: tuple[Any, ...]


def reads(word: str, text_sql: str) -> list[Read]:
    return [
        Read("list, newest 50", {"limit": "50"}, NEWEST, ()),
        Read(
            "list, in progress of agent1",
            {"status": "in_progress", "assignee": "agent1", "limit": "50"},
            BY_STATUS_AND_ASSIGNEE,
            ("in_progress", "agent1"),
        ),
        Read(f"full-text «{word}»", {"q": word, "limit": "50"}, FULL_TEXT[text_sql], (word,)),
    ]


def new_incidents(count: int, rng: random.Random) -> list[dict[str, str]]:
    """Bodies of POST /api/v1/incidents, 70% Russian, as the seed makes them."""
    bodies = []
    for _ in range(count):
        russian = rng.random() < 0.7
        language = RUSSIAN if russian else ENGLISH
        topic = language.topic(rng)
        name = reporter(rng, russian)
        title, description = incident_text(rng, language, topic, name, short=False)
        bodies.append(
            {
                "title": title,
                "description": description,
                "category": topic.category,
                "impact": rng.choice(("high", "medium", "low", "low")),
                "urgency": rng.choice(("high", "medium", "medium", "low")),
                "channel": "api",
            }
        )
    return bodies


# --- creating --------------------------------------------------------------------------------


async def create_through_api(
    bodies: Sequence[dict[str, str]], token: str, args: argparse.Namespace
) -> Figures:
    if args.driver == "wrk":
        return await wrk_driver.run_posts(
            TICKETS_URL,
            INCIDENTS_PATH,
            [json.dumps(body, ensure_ascii=False) for body in bodies],
            token,
            concurrency=args.concurrency,
            seconds=args.seconds,
            key_prefix=f"bench-{uuid.uuid4().hex}",
        )
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=TICKETS_URL, headers=headers, limits=limits) as http:

        async def call(i: int) -> None:
            key = {"Idempotency-Key": uuid.uuid4().hex}
            response = await http.post(INCIDENTS_PATH, json=bodies[i % len(bodies)], headers=key)
            if response.status_code != 201:
                raise RuntimeError(f"create: {response.status_code} {response.text[:300]}")

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=20
        )


@dataclass(frozen=True)
class NewRow:
    """One body of POST /api/v1/incidents as the service stores it."""

    title: str
    description: str
    category: str
    impact: str
    urgency: str
    priority: str
    priority_rank: int
    response_s: float
    resolution_s: float
    request_hash: str


def new_row(body: dict[str, str]) -> NewRow:
    priority = PRIORITY_MATRIX[body["impact"]][body["urgency"]]
    response_s, resolution_s = SLA_S[priority]
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return NewRow(
        title=body["title"],
        description=body["description"],
        category=body["category"],
        impact=body["impact"],
        urgency=body["urgency"],
        priority=priority,
        priority_rank=PRIORITY_RANK[priority],
        response_s=float(response_s),
        resolution_s=float(resolution_s),
        request_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def principal_of(token: str) -> Principal:
    """The caller the service sees in the token (its claims, read here without checking)."""
    claims = token.split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    return principal_from_claims(decoded, token)


@dataclass
class Written:
    """What the SQL baselines wrote, to delete it after."""

    incident_ids: list[uuid.UUID] = field(default_factory=list)
    problem_ids: list[uuid.UUID] = field(default_factory=list)

    def aggregate_ids(self) -> list[str]:
        return [str(i) for i in (*self.incident_ids, *self.problem_ids)]


class SameRows:
    """The rows the API writes for one incident with a new problem, in one transaction: the
    problem, the incident, three history rows (problem status, incident status, problem link),
    the idempotency key, two outbox events (problem.created, incident.created) and one NOTIFY,
    numbered from the same sequences, written by "bench" as agent1 would be the reporter."""

    def __init__(self, reporter: Principal, written: Written) -> None:
        workflows = load_workflows()
        self.incident_status = workflows["incident"].initial
        self.problem_status = workflows["problem"].initial
        self.reporter = reporter
        telegram = str(reporter.telegram_id or "")
        self.telegram_id = int(telegram) if telegram.isdigit() else None
        self.written = written
        self.keys = itertools.count()
        self.run = uuid.uuid4().hex[:12]
        self.channel = notify_channel(outbox)
        self.headers = json.dumps({"request_id": f"{BENCH_USER}-{self.run}"})

    async def write(self, connection: asyncpg.Connection, row: NewRow) -> None:
        incident_id, problem_id = uuid.uuid4(), uuid.uuid4()
        self.written.incident_ids.append(incident_id)
        self.written.problem_ids.append(problem_id)
        key = f"{BENCH_USER}-{self.run}-{next(self.keys)}"
        async with connection.transaction():
            incident_number, problem_number = await connection.fetchrow(NUMBERS)
            await connection.execute(
                INSERT_PROBLEM,
                problem_id,
                problem_number,
                row.title,
                row.description,
                row.category,
                row.priority,
                row.priority_rank,
                self.problem_status,
                BENCH_USER,
            )
            await connection.execute(
                INSERT_INCIDENT,
                incident_id,
                incident_number,
                row.title,
                row.description,
                row.category,
                row.impact,
                row.urgency,
                row.priority,
                row.priority_rank,
                self.incident_status,
                self.reporter.subject,
                self.reporter.username,
                self.reporter.name,
                self.reporter.email,
                self.reporter.phone,
                self.telegram_id,
                problem_id,
                row.response_s,
                row.resolution_s,
                BENCH_USER,
            )
            await connection.execute(
                INSERT_HISTORY,
                problem_id,
                incident_id,
                BENCH_USER,
                self.problem_status,
                f"opened automatically for incident {ticket_key(INCIDENT_PREFIX, incident_number)}",
                self.incident_status,
                "registered via api",
                "its own new problem",
            )
            await connection.execute(INSERT_KEY, BENCH_USER, key, row.request_hash, incident_id)
            problem_key = ticket_key(PROBLEM_PREFIX, problem_number)
            await connection.execute(
                INSERT_EVENTS,
                uuid.uuid4(),
                str(problem_id),
                PROBLEM_CREATED.contract.name,
                self.problem_payload(row, problem_id, problem_key, incident_id),
                uuid.uuid4(),
                str(incident_id),
                INCIDENT_CREATED.contract.name,
                self.incident_payload(row, incident_id, incident_number, problem_id, problem_key),
                self.headers,
            )
            await connection.execute(NOTIFY, self.channel)

    def problem_payload(
        self, row: NewRow, problem_id: uuid.UUID, problem_key: str, incident_id: uuid.UUID
    ) -> str:
        """As servicedesk.tickets.problems.events.problem_payload, with the incident's id."""
        payload = {
            "id": str(problem_id),
            "key": problem_key,
            "title": row.title,
            "status": self.problem_status,
            "priority": row.priority,
            "category": row.category,
            "correlation_rule": None,
            "version": 1,
            "incident_id": str(incident_id),
        }
        return json.dumps(payload, ensure_ascii=False)

    def incident_payload(
        self,
        row: NewRow,
        incident_id: uuid.UUID,
        number: int,
        problem_id: uuid.UUID,
        problem_key: str,
    ) -> str:
        """As servicedesk.tickets.incidents.events.incident_payload, with the problem's key."""
        payload = {
            "id": str(incident_id),
            "key": ticket_key(INCIDENT_PREFIX, number),
            "title": row.title,
            "status": self.incident_status,
            "priority": row.priority,
            "category": row.category,
            "channel": "api",
            "reporter": {
                "id": self.reporter.subject,
                "username": self.reporter.username,
                "name": self.reporter.name,
                "email": self.reporter.email,
                "phone": self.reporter.phone,
                "telegram_id": self.telegram_id,
            },
            "assignee_username": None,
            "group_id": None,
            "client_ref": None,
            "order_ref": None,
            "problem_id": str(problem_id),
            "version": 1,
            "problem_key": problem_key,
        }
        return json.dumps(payload, ensure_ascii=False)


def bare_insert_args(row: NewRow) -> tuple[Any, ...]:
    return (
        row.title,
        row.description,
        row.category,
        row.impact,
        row.urgency,
        row.priority,
        row.priority_rank,
        "agent1",
        row.response_s,
        row.resolution_s,
        BENCH_USER,
    )


async def create_in_sql(
    bodies: Sequence[dict[str, str]], reporter: Principal, args: argparse.Namespace
) -> tuple[Figures, Figures]:
    """The same rows in one transaction a create, then the bare INSERT of the incident alone,
    on the primary at the same concurrency; every row written is deleted after."""
    rows = [new_row(body) for body in bodies]
    written = Written()
    same_rows = SameRows(reporter, written)
    pool = await asyncpg.create_pool(PRIMARY, min_size=args.concurrency, max_size=args.concurrency)
    try:

        async def same(i: int) -> None:
            async with pool.acquire() as connection:
                await same_rows.write(connection, rows[i % len(rows)])

        async def bare(i: int) -> None:
            async with pool.acquire() as connection:
                incident_id = uuid.uuid4()
                written.incident_ids.append(incident_id)
                await connection.execute(
                    BARE_INSERT, incident_id, *bare_insert_args(rows[i % len(rows)])
                )

        return (
            await closed_loop(
                same, requests=args.requests, concurrency=args.concurrency, warmup=20
            ),
            await closed_loop(
                bare, requests=args.requests, concurrency=args.concurrency, warmup=20
            ),
        )
    finally:
        async with pool.acquire() as connection:
            await delete_written(connection, written)
        await pool.close()


async def delete_written(connection: asyncpg.Connection, written: Written) -> None:
    """The rows of the SQL baselines, children first: keys, history, incidents, problems, and
    the outbox events of those incidents and problems."""
    async with connection.transaction():
        await connection.execute(
            "delete from tickets.idempotency_keys where scope = $1", BENCH_USER
        )
        await connection.execute("delete from tickets.history where actor = $1", BENCH_USER)
        await connection.execute("delete from tickets.incidents where created_by = $1", BENCH_USER)
        await connection.execute("delete from tickets.problems where created_by = $1", BENCH_USER)
        await connection.execute(
            "delete from tickets.outbox where aggregate_id = any($1::text[])",
            written.aggregate_ids(),
        )


# --- reading ---------------------------------------------------------------------------------


async def read_through_api(read: Read, token: str, args: argparse.Namespace) -> Figures:
    if args.driver == "wrk":
        path = f"{INCIDENTS_PATH}?{urlencode(read.params)}"
        return await wrk_driver.run(
            TICKETS_URL, [path], token, concurrency=args.concurrency, seconds=args.seconds
        )
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=TICKETS_URL, headers=headers, limits=limits) as http:

        async def call(i: int) -> None:
            response = await http.get(INCIDENTS_PATH, params=read.params)
            if response.status_code != 200:
                raise RuntimeError(f"{read.name}: {response.status_code} {response.text[:300]}")

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=50
        )


async def read_in_sql(read: Read, args: argparse.Namespace) -> Figures:
    pool = await asyncpg.create_pool(STANDBY, min_size=args.concurrency, max_size=args.concurrency)
    try:

        async def call(i: int) -> None:
            async with pool.acquire() as connection:
                await connection.fetch(read.sql, *read.args)

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=50
        )
    finally:
        await pool.close()


# --- the run ---------------------------------------------------------------------------------


def report(results: list[tuple[str, Figures, Figures, bool]], args: argparse.Namespace) -> None:
    table = Table(title=f"tickets, concurrency {args.concurrency}, HTTP load by {args.driver}")
    for column in (
        "scenario",
        "API p50",
        "API p99",
        "API req/s",
        "SQL p50",
        "SQL p99",
        "SQL req/s",
        "p99 API/SQL",
        "req/s API/SQL",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, api, raw, has_target in results:
        share = api.per_second / raw.per_second
        verdict = ""
        if has_target:
            verdict = f" (≥ {CREATE_TARGET:.0%}: {'yes' if share >= CREATE_TARGET else 'NO'})"
        table.add_row(
            name,
            f"{api.p50_ms:.1f} ms",
            f"{api.p99_ms:.1f} ms",
            f"{api.per_second:.0f}",
            f"{raw.p50_ms:.1f} ms",
            f"{raw.p99_ms:.1f} ms",
            f"{raw.per_second:.0f}",
            f"{api.p99_ms / raw.p99_ms:.1f}x",
            f"{share:.0%}{verdict}",
        )
    Console(width=170).print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--requests", type=int, default=3000, help="per SQL run, and per API run from Python"
    )
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument("--skip", help="skip the scenarios whose name contains this")
    parser.add_argument("--word", default="принтер", help="the word of the full-text search")
    parser.add_argument(
        "--text-sql",
        choices=tuple(FULL_TEXT),
        default="service",
        help="the SQL beside the full-text search: the service's (text or comments) or text only",
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk" if wrk_driver.available() else "python",
        help="HTTP load from wrk (default when installed) or from Python (httpx)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of a wrk run")
    args = parser.parse_args()
    bodies = new_incidents(1000, random.Random(11))
    results: list[tuple[str, Figures, Figures, bool]] = []
    wrote_at = None
    if (not args.only or args.only in "create") and not (args.skip and args.skip in "create"):
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]  # lives 5 min
        api = await create_through_api(bodies, token, args)
        wrote_at = time.monotonic()
        same_rows, bare = await create_in_sql(bodies, principal_of(token), args)
        results.append(("create (the same rows in SQL)", api, same_rows, True))
        results.append(("create (a bare INSERT, for information)", api, bare, False))
    for read in reads(args.word, args.text_sql):
        if (args.only and args.only not in read.name) or (args.skip and args.skip in read.name):
            continue
        if wrote_at is not None:
            await read_your_writes_lapse(wrote_at)
            wrote_at = None
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]
        api = await read_through_api(read, token, args)
        results.append((read.name, api, await read_in_sql(read, args), False))
    report(results, args)


async def read_your_writes_lapse(wrote_at: float) -> None:
    """Waits until agent1's last write no longer sends their reads through the replay check."""
    left = wrote_at + READ_YOUR_WRITES_S + 1 - time.monotonic()
    if left > 0:
        print(f"waiting {left:.0f} s for agent1's read-your-writes mark to lapse", flush=True)
        await asyncio.sleep(left)


if __name__ == "__main__":
    asyncio.run(main())
