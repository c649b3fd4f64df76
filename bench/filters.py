"""Saved filters: the query language alone (parse and compile, in-process), and five typical saved
filters end to end through the real HTTP API beside the same SQL alone.

Needs the stack (`./sd up`) and the benchmark data set:
    .venv/bin/servicedesk-ops seed incidents --count 1000000
Run:
    .venv/bin/python -m bench.filters [--concurrency 16] [--seconds 10]

Parse and compile: `parse_query` and `compile_query` of each typical query, `--iterations` times,
in this process, no database.

End to end: the five queries are saved as private filters of agent1 (`bench: <name> (<run>)`,
deleted at the end) and `GET /api/v1/filters/{id}/results?limit=50` is loaded with a real
Keycloak token of agent1 for `--seconds`. Beside it, for as long, the statements the endpoint
runs, taken from `compile_query(parse_query(...))` with agent1's context and sent with asyncpg as
the `tickets` role to the standby, where the endpoint reads: the page alone, then the page and
the capped count (up to 10001 matches, `querying.count`) one after the other, as the endpoint
runs them. The endpoint also looks the saved filter up by its id (one primary-key read) first.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from bench import wrk_driver
from bench.harness import Figures, closed_loop, percentile
from bench.tickets import STANDBY, TICKETS_URL, principal_of, read_your_writes_lapse
from servicedesk.kernel.auth import Principal
from servicedesk.ops.keycloak_login import login_with_browser_flow
from servicedesk.tickets.access import is_staff
from servicedesk.tickets.query import Query, QueryContext, Vocabulary, compile_query, parse_query
from servicedesk.tickets.query.service import COUNT_CAP

FILTERS_PATH = "/api/v1/filters"
NAME_PREFIX = "bench: "
PAGE = 50
TARGET_P99_MS = 50.0
# How PostgreSQL plans the prepared statements of the SQL runs: as for the service (a generic
# plan once it looks no costlier than the first five custom ones), or a custom plan every time.
PLANS = {"auto": "auto", "custom": "force_custom_plan"}
STALE_AFTER = timedelta(minutes=30)
WRK_TIMEOUT_S = 30  # slow responses are measured, not failed (wrk's default is 2 s)
DIALECT = asyncpg_dialect.dialect()


@dataclass(frozen=True)
class Typical:
    name: str
    query: str


TYPICAL = (
    Typical(
        "my work",
        "assignee = me() and status in (new, in_progress) order by priority desc, created desc",
    ),
    Typical("the queue", "status = new and assignee is empty order by created asc"),
    Typical("pressing, last 7 days", "priority >= high and status != closed and created > -7d"),
    Typical("SLA breached, open", "sla_breached = true and status not in (resolved, closed)"),
    Typical("«принтер», last 30 days", 'text ~ "принтер" and created > -30d'),
)


def vocabulary() -> Vocabulary:
    return Vocabulary.default("incident")


def context(principal: Principal) -> QueryContext:
    """As `querying.context_for` makes it for the caller, now."""
    return QueryContext.for_principal(
        principal,
        datetime.now(UTC),
        vocabulary(),
        own_incidents_only=not is_staff(principal),
    )


def page_statement(query: Query, principal: Principal) -> Select[Any]:
    """As `querying.page` (offset 0)."""
    return compile_query(query, context(principal)).limit(PAGE).offset(0)


def count_statement(query: Query, principal: Principal) -> Select[Any]:
    """As `querying.count`: the matches up to COUNT_CAP + 1."""
    capped = compile_query(query, context(principal)).order_by(None).limit(COUNT_CAP + 1)
    return select(func.count()).select_from(capped.subquery())


def compiled(statement: Select[Any]) -> tuple[str, list[Any]]:
    """The SQL and arguments asyncpg receives for a statement, as the service sends it (an `in`
    list as one parameter a value)."""
    query = statement.compile(dialect=DIALECT, compile_kwargs={"render_postcompile": True})
    names = query.positiontup or []
    return query.string, [query.params[name] for name in names]


def readable(statement: Select[Any]) -> str:
    """The statement with its values in place, to read or to paste into psql."""
    literal = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return f"{literal};"


# --- parse and compile -----------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p99_ms: float


def timing(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples) * 1000, percentile(samples, 0.99) * 1000)


def parse_and_compile(principal: Principal, iterations: int) -> list[tuple[str, list[Timing]]]:
    """Per typical query: parse, compile to a statement, both, and the statement to SQL text
    (which SQLAlchemy caches in the service; here uncached, for scale)."""
    words = vocabulary()
    figures = []
    for typical in TYPICAL:
        parse_s: list[float] = []
        compile_s: list[float] = []
        both_s: list[float] = []
        text_s: list[float] = []
        for i in range(iterations + 20):
            started = time.perf_counter()
            query = parse_query(typical.query, "incident", words)
            parsed = time.perf_counter()
            statement = compile_query(query, context(principal))
            built = time.perf_counter()
            statement.limit(PAGE).compile(dialect=DIALECT)
            done = time.perf_counter()
            if i >= 20:  # the first ones warm the caches
                parse_s.append(parsed - started)
                compile_s.append(built - parsed)
                both_s.append(built - started)
                text_s.append(done - built)
        figures.append((typical.name, [timing(s) for s in (parse_s, compile_s, both_s, text_s)]))
    return figures


def report_parse(figures: list[tuple[str, list[Timing]]], iterations: int) -> None:
    table = Table(title=f"parse and compile, in-process, {iterations} iterations a query")
    columns = ("parse", "compile", "parse + compile", "statement to SQL (uncached)")
    table.add_column("filter")
    for column in columns:
        table.add_column(f"{column} p50", justify="right")
        table.add_column(f"{column} p99", justify="right")
    for name, timings in figures:
        cells = [f"{ms:.3f} ms" for t in timings for ms in (t.p50_ms, t.p99_ms)]
        table.add_row(name, *cells)
    Console(width=200).print(table)


# --- saved filters through the API -----------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    typical: Typical
    id: str
    query: str  # canonical, as saved


async def save_filters(http: httpx.AsyncClient) -> list[Saved]:
    await delete_filters(http, stale_only=True)  # left by runs that did not finish
    run = uuid.uuid4().hex[:6]  # runs side by side keep to their own filters
    saved = []
    for typical in TYPICAL:
        name = f"{NAME_PREFIX}{typical.name} ({run})"
        body = {"name": name, "entity": "incident", "query": typical.query}
        response = await http.post(FILTERS_PATH, json=body)
        if response.status_code != 201:
            raise RuntimeError(f"saving {typical.name}: {response.status_code} {response.text}")
        created = response.json()
        saved.append(Saved(typical, created["id"], created["query"]))
    return saved


async def delete_filters(
    http: httpx.AsyncClient, ids: Sequence[str] = (), *, stale_only: bool = False
) -> None:
    """These filters; with `stale_only`, agent1's filters named `bench: …` saved over
    STALE_AFTER ago (by a run that did not finish)."""
    if stale_only:
        response = await http.get(FILTERS_PATH)
        response.raise_for_status()
        before = datetime.now(UTC) - STALE_AFTER
        ids = [
            found["id"]
            for found in response.json()
            if found["owner_username"] == "agent1"
            and found["name"].startswith(NAME_PREFIX)
            and datetime.fromisoformat(found["created_at"]) < before
        ]
    for filter_id in ids:
        deleted = await http.delete(f"{FILTERS_PATH}/{filter_id}")
        if deleted.status_code not in (204, 404):
            raise RuntimeError(f"deleting filter {filter_id}: {deleted.status_code}")


def results_path(saved: Saved) -> str:
    return f"{FILTERS_PATH}/{saved.id}/results?limit={PAGE}"


async def through_api(saved: Saved, args: argparse.Namespace) -> tuple[Figures, int]:
    """The figures, and the total the endpoint reports (from one request made first)."""
    token = (await login_with_browser_flow("agent1", "demo"))["access_token"]  # lives 5 min
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=TICKETS_URL, headers=headers, limits=limits, timeout=WRK_TIMEOUT_S
    ) as http:
        first = await http.get(results_path(saved))
        if first.status_code != 200:
            raise RuntimeError(f"{saved.typical.name}: {first.status_code} {first.text[:300]}")
        total: int = first.json()["total"]
        if args.driver == "wrk":
            figures = await wrk_driver.run(
                TICKETS_URL,
                [results_path(saved)],
                token,
                concurrency=args.concurrency,
                seconds=args.seconds,
                timeout_s=WRK_TIMEOUT_S,
            )
            return figures, total

        async def call(i: int) -> None:
            response = await http.get(results_path(saved))
            if response.status_code != 200:
                raise RuntimeError(f"{saved.typical.name}: {response.status_code}")

        figures = await closed_loop(
            call,
            requests=args.requests,
            concurrency=args.concurrency,
            warmup=20,
            seconds=args.seconds,
        )
        return figures, total


# --- the same SQL alone ----------------------------------------------------------------------


@dataclass(frozen=True)
class Statements:
    page: Select[Any]
    count: Select[Any]


def statements(saved: Saved, principal: Principal) -> Statements:
    query = parse_query(saved.query, "incident", vocabulary())
    return Statements(page_statement(query, principal), count_statement(query, principal))


async def in_sql(
    pool: asyncpg.Pool, sql: Statements, *, with_count: bool, args: argparse.Namespace
) -> Figures:
    page, page_args = compiled(sql.page)
    count, count_args = compiled(sql.count)

    async def call(i: int) -> None:
        async with pool.acquire() as connection:
            await connection.fetch(page, *page_args)
            if with_count:
                await connection.fetchval(count, *count_args)

    return await closed_loop(
        call,
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=20,
        seconds=args.seconds,
    )


async def matches(pool: asyncpg.Pool, sql: Statements) -> int:
    count, count_args = compiled(sql.count)
    async with pool.acquire() as connection:
        found: int = await connection.fetchval(count, *count_args)
    return found


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    matches: int
    api: Figures
    page: Figures
    page_and_count: Figures


def report(rows: list[Row], args: argparse.Namespace) -> None:
    table = Table(
        title=(
            f"saved filter results, concurrency {args.concurrency}, HTTP load by {args.driver},"
            f" SQL plans {args.sql_plans}"
        )
    )
    for column in (
        "filter",
        "matches",
        "API p50",
        "API p99",
        "API req/s",
        "SQL page p50",
        "SQL page p99",
        "SQL page+count p50",
        "SQL page+count p99",
        "SQL page+count req/s",
        "p99 API/SQL",
        f"p99 ≤ {TARGET_P99_MS:.0f} ms",
    ):
        table.add_column(column, justify="left" if column == "filter" else "right")
    for row in rows:
        shown = f"{COUNT_CAP}+" if row.matches > COUNT_CAP else str(row.matches)
        table.add_row(
            row.name,
            shown,
            f"{row.api.p50_ms:.1f} ms",
            f"{row.api.p99_ms:.1f} ms",
            f"{row.api.per_second:.0f}",
            f"{row.page.p50_ms:.1f} ms",
            f"{row.page.p99_ms:.1f} ms",
            f"{row.page_and_count.p50_ms:.1f} ms",
            f"{row.page_and_count.p99_ms:.1f} ms",
            f"{row.page_and_count.per_second:.0f}",
            f"{row.api.p99_ms / row.page_and_count.p99_ms:.1f}x",
            "yes" if row.api.p99_ms <= TARGET_P99_MS else "NO",
        )
    Console(width=200).print(table)


async def measure(
    saved: Saved,
    principal: Principal,
    pool: asyncpg.Pool,
    wrote_at: float,
    args: argparse.Namespace,
) -> Row:
    """The SQL alone (the page, then the page and the count), then the API."""
    sql = statements(saved, principal)
    if args.show_sql:
        print(f"-- {saved.typical.name}: {saved.query}")
        print("-- the page (page only: this; page+count: this, then the count)")
        print(readable(sql.page))
        print("-- the capped count")
        print(readable(sql.count), flush=True)
    page = await in_sql(pool, sql, with_count=False, args=args)
    both = await in_sql(pool, sql, with_count=True, args=args)
    await read_your_writes_lapse(wrote_at)
    api, total = await through_api(saved, args)
    counted = await matches(pool, sql)
    if counted != total:
        print(f"{saved.typical.name}: the API counts {total}, the SQL {counted}")
    return Row(saved.typical.name, total, api, page, both)


async def end_to_end(principal: Principal, token: str, args: argparse.Namespace) -> list[Row]:
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    async with httpx.AsyncClient(base_url=TICKETS_URL, headers=headers, timeout=30) as http:
        saved = await save_filters(http)
        wrote_at = time.monotonic()
        settings = {"plan_cache_mode": PLANS[args.sql_plans]}
        try:
            async with asyncpg.create_pool(
                STANDBY,
                min_size=args.concurrency,
                max_size=args.concurrency,
                server_settings=settings,
            ) as pool:
                for one in saved:
                    if args.only and args.only not in one.typical.name:
                        continue
                    rows.append(await measure(one, principal, pool, wrote_at, args))
        finally:
            await delete_filters(http, [s.id for s in saved])
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument(
        "--requests", type=int, default=100_000, help="at most this many per run from Python"
    )
    parser.add_argument("--iterations", type=int, default=300, help="of parse and compile")
    parser.add_argument("--only", help="the filters whose name contains this")
    parser.add_argument(
        "--skip-api", action="store_true", help="parse and compile only, no stack needed"
    )
    parser.add_argument(
        "--sql-plans",
        choices=tuple(PLANS),
        default="auto",
        help="plans of the SQL runs: as the service gets them (auto), or custom every time",
    )
    parser.add_argument(
        "--show-sql", action=argparse.BooleanOptionalAction, default=True, help="print the SQL"
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk" if wrk_driver.available() else "python",
        help="HTTP load from wrk (default when installed) or from Python (httpx)",
    )
    args = parser.parse_args()
    if args.skip_api:
        principal = Principal("bench", "agent1", frozenset({"agent"}), "bench", token="")
    else:
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]
        principal = principal_of(token)
    report_parse(parse_and_compile(principal, args.iterations), args.iterations)
    if not args.skip_api:
        report(await end_to_end(principal, token, args), args)


if __name__ == "__main__":
    asyncio.run(main())
