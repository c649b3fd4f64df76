"""The migration proxy: name search through the proxy beside our clients service alone.

Needs the stack (`./sd up`, which seeds the legacy simulator). Run:
    .venv/bin/python -m bench.migration_proxy [--concurrency 16] [--seconds 10]

Scenarios, each with the legacy simulator's added latency set through its fault knobs:
- cached path: the legacy answers for the queries are in the cache (a warm-up pass fills it);
- legacy at 20 ms and at 800 ms with a cold cache (the proxy's deadline is 0.8 s by default).
Beside each, the same queries straight to our clients service: the proxy's overhead.
Between scenarios the cache and the breaker are cleared; the knobs are reset at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from urllib.parse import urlencode

import asyncpg
import httpx
from redis.asyncio import Redis
from rich.console import Console
from rich.table import Table

from bench import wrk_driver
from bench.harness import Figures
from servicedesk.ops.keycloak_login import login_with_browser_flow

PROXY = "http://localhost:8004"
OURS = "http://localhost:8002"
LEGACY = "http://localhost:8005"
ADMIN = {"X-Admin-Key": "local-legacy-admin-key"}
DSN = "postgresql://servicedesk_admin:local-servicedesk_admin@127.0.0.1:5433/servicedesk"


async def _query_words(count: int) -> list[str]:
    connection = await asyncpg.connect(DSN)
    try:
        rows = await connection.fetch(
            "select split_part(full_name, ' ', 1) as word from legacy.customers"
            " where full_name ~ '^[А-ЯЁ][а-яё]{3,}' order by random() limit $1",
            count,
        )
    finally:
        await connection.close()
    words = sorted({r["word"] for r in rows})
    random.Random(3).shuffle(words)
    return words


async def _clear(redis: Redis) -> None:
    for pattern in ("sd:legacy-cache:*", "sd:breaker:*"):
        keys = [key async for key in redis.scan_iter(pattern)]
        if keys:
            await redis.delete(*keys)


async def _latency(ms: int) -> None:
    async with httpx.AsyncClient() as http:
        body = {"latency_ms": ms, "jitter_ms": ms // 10}
        (
            await http.put(f"{LEGACY}/legacy/admin/faults", json=body, headers=ADMIN)
        ).raise_for_status()


async def _load(base: str, words: list[str], token: str, args: argparse.Namespace) -> Figures:
    paths = [f"/api/v1/clients/search?{urlencode({'q': w, 'limit': 20})}" for w in words]
    return await wrk_driver.run(
        base, paths, token, concurrency=args.concurrency, seconds=args.seconds
    )


async def _warm(words: list[str], token: str) -> None:
    async with httpx.AsyncClient(base_url=PROXY, headers={"Authorization": f"Bearer {token}"}) as c:
        for word in words:
            await c.get("/api/v1/clients/search", params={"q": word, "limit": 20}, timeout=10)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not wrk_driver.available():
        raise SystemExit("this benchmark needs wrk (apt-get install wrk)")
    words = await _query_words(4000)
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    results: list[tuple[str, Figures, Figures]] = []
    try:
        for name, latency, warm in (
            ("cached path (legacy at 20 ms)", 20, True),
            ("legacy at 20 ms, cold cache", 20, False),
            ("legacy at 800 ms, cold cache", 800, False),
        ):
            await _clear(redis)
            await _latency(latency)
            token = (await login_with_browser_flow("agent1", "demo"))["access_token"]
            sample = words[:300] if warm else words
            if warm:
                await _warm(sample, token)
            proxy = await _load(PROXY, sample, token, args)
            ours = await _load(OURS, sample, token, args)
            results.append((name, proxy, ours))
    finally:
        async with httpx.AsyncClient() as http:
            await http.delete(f"{LEGACY}/legacy/admin/faults", headers=ADMIN)
        await _clear(redis)
        await redis.aclose()
    table = Table(title=f"migration proxy: name search, concurrency {args.concurrency}")
    for column in (
        "scenario",
        "proxy p50",
        "proxy p99",
        "proxy req/s",
        "ours p50",
        "ours p99",
        "ours req/s",
        "p50 overhead",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, proxy, ours in results:
        table.add_row(
            name,
            f"{proxy.p50_ms:.1f} ms",
            f"{proxy.p99_ms:.1f} ms",
            f"{proxy.per_second:.0f}",
            f"{ours.p50_ms:.1f} ms",
            f"{ours.p99_ms:.1f} ms",
            f"{ours.per_second:.0f}",
            f"{proxy.p50_ms - ours.p50_ms:+.1f} ms",
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    asyncio.run(main())
