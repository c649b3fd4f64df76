"""Clients and orders: search through the real HTTP API beside the same SQL alone.

Needs the stack (`./sd up`) and the benchmark data set:
    .venv/bin/servicedesk-ops seed data --clients 1000000 --orders 3000000 --reset
Run:
    .venv/bin/python -m bench.clients_orders [--concurrency 16] [--requests 3000]

Each scenario runs closed-loop at the given concurrency: first through the API with a real
Keycloak token (the request goes through auth, routing, the read session on the standby,
serialisation), then the very SQL statement the API runs, straight on the standby with asyncpg
as the service's own role. The ratio API/raw is the cost of everything that is not the query.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Select, literal, select, tuple_
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from bench import wrk_driver
from bench.harness import Figures, closed_loop
from servicedesk.clients.models import Client
from servicedesk.clients.repository import fold_name, search_statement
from servicedesk.clients.router import BY_NAME
from servicedesk.clients.schemas import ClientsByNameAfter
from servicedesk.clients.settings import ClientsSettings
from servicedesk.kernel.cursors import use_cursor_secret
from servicedesk.ops.keycloak_login import login_with_browser_flow
from servicedesk.orders.models import Order
from servicedesk.orders.repository import number_search_statement

CLIENTS_URL = os.environ.get("SD_BENCH_CLIENTS_URL", "http://localhost:8002")
ORDERS_URL = os.environ.get("SD_BENCH_ORDERS_URL", "http://localhost:8003")
STANDBY = "postgresql://{role}:local-{role}@127.0.0.1:5433/servicedesk"
DIALECT = asyncpg_dialect.dialect()


@dataclass
class Scenario:
    name: str
    target_p99_ms: float | None
    base_url: str
    request: Callable[[int], tuple[str, dict[str, str]]]
    role: str
    statement: Callable[[int], Select[Any]]


def compiled(statement: Select[Any]) -> tuple[str, list[Any]]:
    """The SQL and arguments asyncpg receives for a statement, as the service sends it."""
    query = statement.compile(dialect=DIALECT)
    names = query.positiontup or []
    return query.string, [query.params[name] for name in names]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


async def samples(rng: random.Random) -> dict[str, list[Any]]:
    connection = await asyncpg.connect(STANDBY.format(role="servicedesk_admin"))
    try:
        names = await connection.fetch(
            "select search_name, id from clients.clients order by random() limit 1000"
        )
        orders = await connection.fetch(
            "select number, client_id from orders.orders order by random() limit 1000"
        )
    finally:
        await connection.close()
    words = [max(r["search_name"].split(), key=len) for r in names]
    rng.shuffle(words)
    return {
        "exact": words,
        "typo": [typo(w, rng) for w in words],
        "keys": [(r["search_name"], str(r["id"])) for r in names],
        "numbers": [r["number"] for r in orders],
        "client_ids": [r["client_id"] for r in orders],
    }


def scenarios(data: dict[str, list[Any]]) -> list[Scenario]:
    def pick(key: str, i: int) -> Any:
        values = data[key]
        return values[i % len(values)]

    # cursors are signed: with the secret the clients service signs them with
    use_cursor_secret(ClientsSettings().cursor_secret.get_secret_value())

    def page_after(i: int) -> tuple[str, dict[str, str]]:
        name, client_id = pick("keys", i)
        after = ClientsByNameAfter(name=name, id=uuid.UUID(client_id))
        return "/api/v1/clients", {"limit": "50", "cursor": BY_NAME.encode(after)}

    def list_statement(i: int) -> Select[Any]:
        name, client_id = pick("keys", i)
        return (
            select(Client)
            .where(
                tuple_(Client.search_name, Client.id)
                > tuple_(literal(name), literal(uuid.UUID(client_id)))
            )
            .order_by(Client.search_name, Client.id)
            .limit(50)
        )

    def of_client(i: int) -> Select[Any]:
        return (
            select(Order)
            .where(Order.client_id == pick("client_ids", i))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(50)
        )

    return [
        Scenario(
            "client name search, exact word",
            25,
            CLIENTS_URL,
            lambda i: ("/api/v1/clients/search", {"q": pick("exact", i), "limit": "20"}),
            "clients",
            lambda i: search_statement(fold_name(pick("exact", i)), None, 20),
        ),
        Scenario(
            "client name search, with a typo",
            25,
            CLIENTS_URL,
            lambda i: ("/api/v1/clients/search", {"q": pick("typo", i), "limit": "20"}),
            "clients",
            lambda i: search_statement(fold_name(pick("typo", i)), None, 20),
        ),
        Scenario(
            "client list page (50, by name)",
            None,
            CLIENTS_URL,
            page_after,
            "clients",
            list_statement,
        ),
        Scenario(
            "order search by client",
            15,
            ORDERS_URL,
            lambda i: ("/api/v1/orders", {"client_id": str(pick("client_ids", i)), "limit": "50"}),
            "orders",
            of_client,
        ),
        Scenario(
            "order search by number",
            None,
            ORDERS_URL,
            lambda i: ("/api/v1/orders/search", {"q": pick("numbers", i), "limit": "20"}),
            "orders",
            lambda i: number_search_statement(pick("numbers", i), None, 20),
        ),
    ]


async def run_api(scenario: Scenario, token: str, args: argparse.Namespace) -> Figures:
    if args.driver == "wrk":
        paths = [
            f"{path}?{urlencode(params)}"
            for path, params in (scenario.request(i) for i in range(args.requests))
        ]
        return await wrk_driver.run(
            scenario.base_url, paths, token, concurrency=args.concurrency, seconds=args.seconds
        )
    return await run_api_in_python(scenario, token, args)


async def run_api_in_python(scenario: Scenario, token: str, args: argparse.Namespace) -> Figures:
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=scenario.base_url, headers=headers, limits=limits
    ) as http:

        async def call(i: int) -> None:
            path, params = scenario.request(i)
            response = await http.get(path, params=params)
            if response.status_code != 200:
                raise RuntimeError(f"{scenario.name}: {response.status_code} {response.text[:300]}")

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=50
        )


async def run_raw(scenario: Scenario, args: argparse.Namespace) -> Figures:
    pool = await asyncpg.create_pool(
        STANDBY.format(role=scenario.role), min_size=args.concurrency, max_size=args.concurrency
    )
    try:

        async def call(i: int) -> None:
            sql, values = compiled(scenario.statement(i))
            async with pool.acquire() as connection:
                await connection.fetch(sql, *values)

        return await closed_loop(
            call, requests=args.requests, concurrency=args.concurrency, warmup=50
        )
    finally:
        await pool.close()


def report(results: list[tuple[Scenario, Figures, Figures]], args: argparse.Namespace) -> None:
    table = Table(
        title=f"clients and orders, concurrency {args.concurrency}, HTTP load by {args.driver}"
    )
    for column in (
        "scenario",
        "API p50",
        "API p99",
        "API req/s",
        "SQL p50",
        "SQL p99",
        "SQL req/s",
        "p99 API/SQL",
        "target p99",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for scenario, api, raw in results:
        table.add_row(
            scenario.name,
            f"{api.p50_ms:.1f} ms",
            f"{api.p99_ms:.1f} ms",
            f"{api.per_second:.0f}",
            f"{raw.p50_ms:.1f} ms",
            f"{raw.p99_ms:.1f} ms",
            f"{raw.per_second:.0f}",
            f"{api.p99_ms / raw.p99_ms:.1f}x",
            f"≤ {scenario.target_p99_ms:.0f} ms" if scenario.target_p99_ms else "—",
        )
    Console(width=160).print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk" if wrk_driver.available() else "python",
        help="HTTP load from wrk (default when installed) or from Python (httpx)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of a wrk run")
    args = parser.parse_args()
    rng = random.Random(7)
    data = await samples(rng)
    results = []
    for scenario in scenarios(data):
        if args.only and args.only not in scenario.name:
            continue
        token = (await login_with_browser_flow("agent1", "demo"))["access_token"]  # lives 5 min
        api = await run_api(scenario, token, args)
        raw = await run_raw(scenario, args)
        results.append((scenario, api, raw))
    report(results, args)


if __name__ == "__main__":
    asyncio.run(main())
