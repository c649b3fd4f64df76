"""Tickets: creating, listing and searching incidents through the real HTTP API beside the same
SQL alone.

Needs the stack (`./sd up`) and the benchmark data set:
    .venv/bin/servicedesk-ops seed incidents --count 1000000
Run:
    .venv/bin/python -m bench.tickets [--concurrency 16] [--seconds 10]

Each scenario runs at the given concurrency: first through the API with a real Keycloak token
of agent1, then the SQL alone with asyncpg as the service's own role. Creating is measured
against a bare INSERT of an equivalent row on the primary (the API also writes the idempotency
key, history, outbox event and problem link; its target is 30% of the bare rate); the reads
against the statement the API runs, on the standby, where the API reads.

Incidents created through the API stay (they are ordinary incidents of agent1); the rows of the
bare INSERTs are created by "bench" and deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from bench import wrk_driver
from bench.harness import Figures, closed_loop
from servicedesk.ops.fake_incidents import ENGLISH, RUSSIAN, incident_text, person
from servicedesk.ops.keycloak_login import login_with_browser_flow
from servicedesk.ops.seed_tickets import PRIORITY_MATRIX, PRIORITY_RANK, SLA_S

TICKETS_URL = os.environ.get("SD_BENCH_TICKETS_URL", "http://127.0.0.1:8001")
INCIDENTS_PATH = "/api/v1/incidents"
PRIMARY = "postgresql://tickets:local-tickets@127.0.0.1:5432/servicedesk"
STANDBY = "postgresql://tickets:local-tickets@127.0.0.1:5433/servicedesk"
BENCH_USER = "bench"  # created_by of the bare INSERTs, deleted after
CREATE_TARGET = 0.30  # creating through the API at ≥ 30% of the bare INSERT rate

NEWEST = "select * from tickets.incidents order by created_at desc, id desc limit 50"
BY_STATUS_AND_ASSIGNEE = (
    "select * from tickets.incidents where status = $1 and assignee_username = $2"
    " order by created_at desc, id desc limit 50"
)
# What the service runs for ?q= (servicedesk.tickets.repository): the incidents whose own text
# or comments match; `--text-sql text-only` takes the text alone.
FULL_TEXT = {
    "service": (
        "select * from tickets.incidents where id in ("
        " select i.id from tickets.incidents i where i.search_vector @@ tickets.text_query($1)"
        " union"
        " select c.incident_id from tickets.comments c"
        " where c.search_vector @@ tickets.text_query($1))"
        " order by created_at desc, id desc limit 50"
    ),
    "text-only": (
        "select * from tickets.incidents where search_vector @@ tickets.text_query($1)"
        " order by created_at desc, id desc limit 50"
    ),
}
INSERT = """
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
        name = person(rng, russian)
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


def insert_args(body: dict[str, str]) -> tuple[Any, ...]:
    priority = PRIORITY_MATRIX[body["impact"]][body["urgency"]]
    response_s, resolution_s = SLA_S[priority]
    return (
        body["title"],
        body["description"],
        body["category"],
        body["impact"],
        body["urgency"],
        priority,
        PRIORITY_RANK[priority],
        "agent1",
        float(response_s),
        float(resolution_s),
        BENCH_USER,
    )


async def create_in_sql(bodies: Sequence[dict[str, str]], args: argparse.Namespace) -> Figures:
    """The same rows by bare INSERTs on the primary; deleted after."""
    values = [insert_args(body) for body in bodies]
    pool = await asyncpg.create_pool(PRIMARY, min_size=args.concurrency, max_size=args.concurrency)
    try:

        async def call(i: int) -> None:
            async with pool.acquire() as connection:
                await connection.execute(INSERT, uuid.uuid4(), *values[i % len(values)])

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=20
        )
    finally:
        async with pool.acquire() as connection:
            await connection.execute(
                "delete from tickets.incidents where created_by = $1", BENCH_USER
            )
        await pool.close()


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
    for name, api, raw, is_create in results:
        share = api.per_second / raw.per_second
        verdict = ""
        if is_create:
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
    if not args.only or args.only in "create":
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]  # lives 5 min
        api = await create_through_api(bodies, token, args)
        results.append(("create", api, await create_in_sql(bodies, args), True))
    for read in reads(args.word, args.text_sql):
        if args.only and args.only not in read.name:
            continue
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]
        api = await read_through_api(read, token, args)
        results.append((read.name, api, await read_in_sql(read, args), False))
    report(results, args)


if __name__ == "__main__":
    asyncio.run(main())
