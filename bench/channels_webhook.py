"""Channels: Telegram updates through the webhook, into the inbound queue, out as incidents,
beside the tickets service's own rate of creating the same incidents.

Needs the stack with the channels service (`./sd up`). Run:
    .venv/bin/python -m bench.channels_webhook [--updates 10000] [--concurrency 32]

1. The webhook: `--updates` Telegram updates are posted to
   `POST /channels/telegram/webhook` (with the secret header) at `--concurrency`; a share of
   them (`--duplicates`, 10%) are exact repeats of others, the same bytes under the same
   update_id, as Telegram sends when it retries. Half of the repeats are posted within
   `--concurrency` posts of their original (often in flight beside it), the others anywhere in
   the run. Each unique update is a private text message from a Telegram user of its own, the
   ids taken from a random range so that runs never meet. Printed: the acknowledgement's
   latency (p50, p99, max) and the posts per second.
2. The processing: the workers of the channels service take the stored updates afterwards.
   The bench polls `channels.inbox.processed_at` of its update ids and prints the time from the
   first post until the last one was processed, the updates processed per second, and whether
   every unique update became exactly one incident (`tickets.incidents` by
   `reporter_telegram_id`: the count beside the unique updates, and the users with more than
   one, which must be none).
3. The baseline, before the webhook run: the tickets API's own rate of creating incidents
   (`POST /api/v1/incidents` with the channels' service account, the body the channels send,
   a unique Idempotency-Key each) at the same concurrency, and the ratio of the channel's
   processing rate to it.

The load comes from an httpx client, not wrk: wrk cannot easily send a tenth of its requests
as exact repeats of others with a body of their own each, placed near and far from their
original. The baseline uses the same client, so both sides carry the same client cost.

The incidents the bench creates stay in the demo database, as those of bench/tickets.py do
(titles starting "bench"), with the channels' contacts, identities, inbox rows and replies of
its Telegram users; the replies fail at the fake Telegram server ("chat not found"), since
those users never wrote to it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from bench.harness import Figures, closed_loop, percentile
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.ops.keycloak_login import client_credentials_token
from servicedesk.ops.provision import admin_dsn

CHANNELS_URL = os.environ.get("SD_BENCH_CHANNELS_URL", "http://127.0.0.1:8006")
TICKETS_URL = os.environ.get("SD_BENCH_TICKETS_URL", "http://127.0.0.1:8001")
WEBHOOK_PATH = "/channels/telegram/webhook"
INCIDENTS_PATH = "/api/v1/incidents"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ID_SPACE = (10**12, 2**52)  # Telegram user ids and update ids of a run: a random block in here
PROBLEMS = (
    "не печатает принтер",
    "не открывается почта",
    "нет доступа к порталу",
    "сломалась мышь",
    "не работает VPN",
    "медленно грузится 1С",
)

INBOX_PROGRESS = """
select count(*) as stored, count(processed_at) as processed, max(processed_at) as last
from channels.inbox where channel = 'telegram' and external_id = any($1::text[])
"""
INBOX_OUTCOMES = """
select coalesce(outcome, 'pending') as outcome, count(*) as items,
       count(*) filter (where attempts > 1) as retried
from channels.inbox where channel = 'telegram' and external_id = any($1::text[])
group by 1 order by 2 desc
"""
INCIDENTS_BY_USER = """
select reporter_telegram_id, count(*) as incidents,
       count(*) filter (where channel = 'telegram' and title like 'bench%') as marked
from tickets.incidents where reporter_telegram_id = any($1::bigint[])
group by 1
"""


# --- the updates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    update_id: int
    user_id: int
    body: bytes  # the JSON posted; a duplicate posts the very same bytes


@dataclass(frozen=True)
class Run:
    marker: str  # in every text, so the run's incidents can be told apart
    uniques: list[Update]
    sent: list[Update]  # in the order posted, duplicates included
    gaps: list[int]  # positions between each duplicate and its original in `sent`


def telegram_update(update_id: int, user_id: int, n: int, marker: str) -> bytes:
    """A private text message from its own user, as the Bot API delivers it."""
    user = {
        "id": user_id,
        "is_bot": False,
        "first_name": "Bench",
        "last_name": f"User {n}",
        "language_code": "ru",
    }
    update = {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": user,
            "chat": {
                "id": user_id,
                "type": "private",
                "first_name": "Bench",
                "last_name": f"User {n}",
            },
            "date": int(time.time()),
            "text": f"bench {marker} #{n}: {PROBLEMS[n % len(PROBLEMS)]}\nс утра, помогите",
        },
    }
    return json.dumps(update, ensure_ascii=False).encode()


def make_run(total: int, duplicate_share: float, concurrency: int, rng: random.Random) -> Run:
    duplicates = round(total * duplicate_share)
    unique_count = total - duplicates
    marker = uuid.uuid4().hex[:8]
    update_base = rng.randrange(*ID_SPACE)
    user_base = rng.randrange(*ID_SPACE)
    uniques = [
        Update(
            update_base + n,
            user_base + n,
            telegram_update(update_base + n, user_base + n, n, marker),
        )
        for n in range(unique_count)
    ]
    # Uniques at 0, 1, 2…; a duplicate just after its original (within the concurrency,
    # so often in flight beside it) or, for the other half, anywhere in the run.
    placed: list[tuple[float, int, Update]] = [(float(n), n, u) for n, u in enumerate(uniques)]
    for original in rng.choices(range(unique_count), k=duplicates):
        if rng.random() < 0.5:
            at = original + rng.uniform(0.1, concurrency)
        else:
            at = rng.uniform(-0.5, unique_count)
        placed.append((at, original, uniques[original]))
    placed.sort(key=lambda p: p[0])
    first_at: dict[int, int] = {}
    gaps = []
    for position, (_, original, _) in enumerate(placed):
        if original in first_at:
            gaps.append(position - first_at[original])
        else:
            first_at[original] = position
    return Run(marker, uniques, [u for _, _, u in placed], gaps)


# --- posting to the webhook --------------------------------------------------------------------


@dataclass
class Posted:
    figures: Figures
    max_ms: float
    first_post: datetime
    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: set[int] = field(default_factory=set)  # update ids answered 200


def client(base_url: str, concurrency: int, headers: dict[str, str]) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=60.0)


async def post_updates(run: Run, secret: str, concurrency: int) -> Posted:
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    statuses: Counter[int] = Counter()
    acknowledged: set[int] = set()
    latencies: list[float] = []
    async with client(CHANNELS_URL, concurrency, headers) as http:
        # Open the connections first, so the first posts do not pay for them.
        await asyncio.gather(*(http.get("/health/live") for _ in range(concurrency)))

        async def call(i: int) -> None:
            started = time.perf_counter()
            try:
                response = await http.post(WEBHOOK_PATH, content=run.sent[i].body)
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    acknowledged.add(run.sent[i].update_id)
            except httpx.HTTPError:
                statuses[0] += 1
            latencies.append(time.perf_counter() - started)

        first_post = datetime.now(UTC)
        figures = await closed_loop(call, requests=len(run.sent), concurrency=concurrency, warmup=0)
    return Posted(figures, max(latencies) * 1000, first_post, statuses, acknowledged)


# --- waiting for the workers -------------------------------------------------------------------


@dataclass
class Processed:
    stored: int
    processed: int
    seconds: float | None  # first post → last processed, when all were
    outcomes: list[asyncpg.Record]


async def wait_processed(
    database: asyncpg.Connection, run: Run, posted: Posted, timeout_s: float
) -> Processed:
    ids = [str(u.update_id) for u in run.uniques]
    deadline = time.monotonic() + timeout_s
    shown = 0.0
    while True:
        row = await database.fetchrow(INBOX_PROGRESS, ids)
        # Done when every acknowledged update is stored and nothing stored is pending.
        stored, processed = row["stored"], row["processed"]
        done = stored >= len(posted.acknowledged) and processed == stored
        if done or time.monotonic() >= deadline:
            break
        if time.monotonic() - shown >= 10:
            print(f"  processed {row['processed']:,} of {row['stored']:,} stored", flush=True)
            shown = time.monotonic()
        await asyncio.sleep(0.5)
    last = row["last"] if done else None
    seconds = (last - posted.first_post).total_seconds() if last is not None else None
    outcomes = await database.fetch(INBOX_OUTCOMES, ids)
    return Processed(row["stored"], row["processed"], seconds, outcomes)


@dataclass(frozen=True)
class Incidents:
    total: int
    users: int
    users_with_more: int
    marked: int  # channel telegram, title starting "bench"


async def count_incidents(database: asyncpg.Connection, run: Run) -> Incidents:
    rows = await database.fetch(INCIDENTS_BY_USER, [u.user_id for u in run.uniques])
    return Incidents(
        total=sum(r["incidents"] for r in rows),
        users=len(rows),
        users_with_more=sum(1 for r in rows if r["incidents"] > 1),
        marked=sum(r["marked"] for r in rows),
    )


# --- the baseline: the tickets API alone -------------------------------------------------------


async def create_through_tickets(requests: int, concurrency: int, rng: random.Random) -> Figures:
    """POST /api/v1/incidents as the channels send it, with their service account's token."""
    settings = ChannelsSettings().keycloak
    token = (
        await client_credentials_token(
            settings.client_id, settings.client_secret.get_secret_value(), base_url=settings.url
        )
    )["access_token"]
    marker = uuid.uuid4().hex[:8]
    user_base = rng.randrange(*ID_SPACE)
    numbers = itertools.count()
    async with client(TICKETS_URL, concurrency, {"Authorization": f"Bearer {token}"}) as http:

        async def call(i: int) -> None:
            n = next(numbers)
            text = f"bench baseline {marker} #{n}: {PROBLEMS[n % len(PROBLEMS)]}"
            body = {
                "title": text,
                "description": f"{text}\nс утра, помогите",
                "category": "other",
                "channel": "telegram",
                "reporter": {"name": f"Bench User {n}", "telegram_id": user_base + n},
            }
            key = {"Idempotency-Key": f"bench-{marker}-{n}"}
            response = await http.post(INCIDENTS_PATH, json=body, headers=key)
            if response.status_code != 201:
                raise RuntimeError(f"create: {response.status_code} {response.text[:300]}")

        return await closed_loop(call, requests=requests, concurrency=concurrency, warmup=20)


# --- the run -----------------------------------------------------------------------------------


def report(
    run: Run,
    posted: Posted,
    processed: Processed,
    incidents: Incidents,
    baseline: Figures,
    args: argparse.Namespace,
) -> None:
    console = Console(width=140)
    unique = len(run.uniques)
    within = sum(1 for g in run.gaps if g <= args.concurrency)
    errors = sum(n for status, n in posted.statuses.items() if status != 200)
    table = Table(
        title=(
            f"Telegram webhook: {len(run.sent):,} updates ({unique:,} unique,"
            f" {len(run.gaps):,} repeats), concurrency {args.concurrency}"
        )
    )
    table.add_column("figure", justify="left")
    table.add_column("value", justify="right")
    rows = [
        ("webhook ack p50", f"{posted.figures.p50_ms:.1f} ms"),
        ("webhook ack p99", f"{posted.figures.p99_ms:.1f} ms"),
        ("webhook ack max", f"{posted.max_ms:.1f} ms"),
        ("webhook posts/s", f"{posted.figures.per_second:.0f}"),
        ("webhook answers other than 200", f"{errors:,}"),
        ("stored, processed (of unique)", f"{processed.stored:,}, {processed.processed:,}"),
    ]
    if processed.seconds is None:
        rows.append(("first post → all processed", f"not within {args.wait:.0f} s"))
        rate = None
    else:
        rate = unique / processed.seconds
        rows.append(("first post → all processed", f"{processed.seconds:.1f} s"))
        rows.append(("processing, updates/s", f"{rate:.1f}"))
    same = incidents.total == unique
    rows += [
        ("incidents created = unique updates", f"{incidents.total:,} = {unique:,}: {same}"),
        ("users with more than one incident", f"{incidents.users_with_more:,}"),
        ("tickets create p50 (baseline)", f"{baseline.p50_ms:.1f} ms"),
        ("tickets create p99 (baseline)", f"{baseline.p99_ms:.1f} ms"),
        ("tickets create req/s (baseline)", f"{baseline.per_second:.1f}"),
    ]
    if rate is not None:
        rows.append(("channel processing / tickets create", f"{rate / baseline.per_second:.0%}"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    console.print(
        f"repeats: {within:,} of {len(run.gaps):,} within {args.concurrency} posts of their"
        f" original, median gap {percentile(run.gaps, 0.5):,} posts, max {max(run.gaps):,}"
        if run.gaps
        else "no repeats"
    )
    console.print(f"webhook answers: {dict(sorted(posted.statuses.items()))}")
    console.print(
        "inbox outcomes: "
        + ", ".join(
            f"{r['outcome']} {r['items']:,} ({r['retried']} retried)" for r in processed.outcomes
        )
    )
    console.print(
        f"incidents: {incidents.users:,} users have one or more;"
        f" {incidents.marked:,} on channel telegram titled 'bench…'"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=10_000, help="posts, repeats included")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--duplicates", type=float, default=0.10, help="share of the posts that are repeats"
    )
    parser.add_argument(
        "--baseline-requests", type=int, default=2000, help="incidents created by the baseline"
    )
    parser.add_argument(
        "--wait", type=float, default=1200, help="seconds to wait for the processing at most"
    )
    args = parser.parse_args()
    rng = random.Random()
    run = make_run(args.updates, args.duplicates, args.concurrency, rng)
    secret = ChannelsSettings().telegram.webhook_secret.get_secret_value()
    database = await asyncpg.connect(admin_dsn("servicedesk"))
    try:
        print(f"baseline: {args.baseline_requests:,} incidents through the tickets API", flush=True)
        baseline = await create_through_tickets(args.baseline_requests, args.concurrency, rng)
        print(f"webhook: {len(run.sent):,} updates, run {run.marker}", flush=True)
        posted = await post_updates(run, secret, args.concurrency)
        print(f"  posted in {posted.figures.seconds:.1f} s; waiting for the workers", flush=True)
        processed = await wait_processed(database, run, posted, args.wait)
        incidents = await count_incidents(database, run)
    finally:
        await database.close()
    report(run, posted, processed, incidents, baseline, args)


if __name__ == "__main__":
    asyncio.run(main())
