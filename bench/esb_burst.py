"""The ESB under a burst: `--commands` create_incident commands published at once, a share of
them duplicates (`--duplicates`, 10%: the same source and id as an earlier one) and a share
invalid (`--invalid`, 1%: half not JSON, half without a description). Printed: the time from
the first publish until the queue is drained, the incidents created (must equal the unique
valid commands), the DLQ count (must equal the invalid ones); with `--restart`, RabbitMQ's
application is stopped and started again (as tests/support/infra.py does) when about half
are done. Beside it the baseline: the broker's own rate for the same messages (published with
confirms into a quorum queue and consumed with acks, no work).

Self-contained: the tickets service runs in-process (over ASGI, with the channels' service
account from the real Keycloak) and the ESB consumers in-process, on the tests' database and
vhost (`servicedesk_test`; SD_BENCH_DATABASE/SD_BENCH_VHOST to change), under a prefix of the
run's own. Needs PostgreSQL, RabbitMQ, Keycloak (`./sd test` starts them). Run:
    .venv/bin/python -m bench.esb_burst [--commands 10000] [--restart]
With --restart, take the live-test lock first (`flock /tmp/sd-live.lock …`): it restarts the
broker everyone uses; or point it at a RabbitMQ node of its own (`--broker amqp://…:5673/
--node <name>`, a second node of the same Debian package started with RABBITMQ_NODENAME and
RABBITMQ_NODE_PORT), which disturbs no one.
"""

from __future__ import annotations

import os

os.environ.setdefault("SD_DATABASE", os.environ.get("SD_BENCH_DATABASE", "servicedesk_test"))
VHOST = os.environ.get("SD_BENCH_VHOST", "servicedesk_test")
BROKER_URL = f"amqp://servicedesk:local-broker@127.0.0.1:5672/{VHOST}"
# The in-process tickets publishes its events there too, never to the demo's vhost.
os.environ.setdefault("SD_TICKETS_BROKER__URL", BROKER_URL)
os.environ.setdefault("SD_TICKETS_REDIS__URL", "redis://127.0.0.1:6379/1")

import argparse  # noqa: E402 - after the environment the settings read
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import aio_pika  # noqa: E402
import asyncpg  # noqa: E402
import httpx  # noqa: E402

from servicedesk.channels.esb.topology import EsbNames, declare_esb  # noqa: E402
from servicedesk.channels.esb.wiring import run_esb  # noqa: E402
from servicedesk.channels.intake.tickets import TicketsGateway  # noqa: E402
from servicedesk.channels.settings import ChannelsSettings, EsbSettings  # noqa: E402
from servicedesk.kernel.calls import ClientCredentials  # noqa: E402
from servicedesk.kernel.db import Database  # noqa: E402
from servicedesk.kernel.service_client import ServiceClient  # noqa: E402
from servicedesk.ops.provision import admin_dsn  # noqa: E402
from servicedesk.tickets.app import create_app as create_tickets_app  # noqa: E402
from servicedesk.tickets.settings import TicketsSettings  # noqa: E402

ATTACHMENTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "attachments"


def commands(
    run: str, total: int, duplicates: float, invalid: float
) -> tuple[list[aio_pika.Message], int, int]:
    """The burst (shuffled) and how many unique valid and invalid commands are in it."""
    bad = round(total * invalid)
    repeats = round(total * duplicates)
    unique = total - bad - repeats
    made = []
    for n in range(unique):
        data = {"title": f"bench-esb {run} #{n}", "description": "Burst alert"}
        made.append(_message(run, str(uuid.uuid4()), json.dumps(data).encode()))
    burst = made + [random.choice(made) for _ in range(repeats)]
    for n in range(bad):
        body = b"{not json" if n % 2 else json.dumps({"title": f"bench-esb {run} bad"}).encode()
        burst.append(_message(run, str(uuid.uuid4()), body))
    random.shuffle(burst)
    return burst, unique, bad


def _message(run: str, event_id: str, body: bytes) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={
            "ce-specversion": "1.0",
            "ce-id": event_id,
            "ce-source": f"/bench/{run}",
            "ce-type": "servicedesk.esb.create_incident.v1",
            "ce-subject": event_id,
        },
    )


async def publish_all(
    channel: aio_pika.abc.AbstractChannel, exchange: str, burst: list[aio_pika.Message], key: str
) -> float:
    target = await channel.get_exchange(exchange, ensure=False)
    started = time.perf_counter()
    gate = asyncio.Semaphore(500)

    async def one(message: aio_pika.Message) -> None:
        async with gate:
            await target.publish(message, routing_key=key)

    await asyncio.gather(*(one(m) for m in burst))
    return time.perf_counter() - started


async def broker_baseline(
    connection: aio_pika.abc.AbstractRobustConnection, burst: list[aio_pika.Message]
) -> float:
    """Messages per second through a quorum queue with confirms and acks, no work."""
    channel = await connection.channel(publisher_confirms=True)
    name = f"bench-esb-baseline-{uuid.uuid4().hex[:6]}"
    queue = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
    started = time.perf_counter()
    await publish_all(channel, "", burst, name)
    consuming = await connection.channel()
    await consuming.set_qos(prefetch_count=32)
    done = asyncio.Event()
    seen = 0

    async def take(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen
        await message.ack()
        seen += 1
        if seen == len(burst):
            done.set()

    mine = await consuming.get_queue(name, ensure=False)
    await mine.consume(take)
    await done.wait()
    elapsed = time.perf_counter() - started
    await queue.delete(if_unused=False, if_empty=False)
    return len(burst) / elapsed


async def tickets_baseline(tickets: TicketsGateway, run: str, concurrency: int) -> float:
    """Incidents per second the in-process tickets service creates when called directly (the
    same body, a fresh Idempotency-Key each), at the consumer's concurrency."""
    total, gate = 300, asyncio.Semaphore(concurrency)
    body = {"description": "Baseline", "category": "other", "channel": "esb"}

    async def one(n: int) -> None:
        async with gate:
            title = f"bench-esb {run} baseline {n}"
            await tickets.create_incident(
                str(uuid.uuid4()), {**body, "title": title, "reporter": {"name": "bench"}}
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(total)))
    return total / (time.perf_counter() - started)


async def progress(db: asyncpg.Connection, run: str) -> int:
    return int(
        await db.fetchval(
            "select count(*) from channels.esb_commands where source = $1", f"/bench/{run}"
        )
    )


async def queue_depth(connection: aio_pika.abc.AbstractRobustConnection, name: str) -> int:
    channel = await connection.channel()
    try:
        declared = await channel.declare_queue(name, passive=True)
        return int(declared.declaration_result.message_count or 0)
    finally:
        await channel.close()


def rabbitmqctl(node: str | None, *args: str) -> None:
    named = ["-n", node] if node else []
    command = ["/usr/sbin/rabbitmqctl", *named, "-q", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603


async def restart_broker(node: str | None) -> float:
    """Stops and starts the RabbitMQ application (as tests/support/infra.py does)."""
    started = time.perf_counter()
    await asyncio.to_thread(rabbitmqctl, node, "stop_app")
    await asyncio.sleep(3)
    await asyncio.to_thread(rabbitmqctl, node, "start_app")
    await asyncio.to_thread(rabbitmqctl, node, "await_startup", "--timeout", "60")
    return time.perf_counter() - started


async def wait_drained(
    connection: aio_pika.abc.AbstractRobustConnection,
    db: asyncpg.Connection,
    run: str,
    names: EsbNames,
    unique: int,
    bad: int,
    restart: bool,
    node: str | None,
) -> tuple[float, float | None]:
    started = time.perf_counter()
    restarted: float | None = None
    shown = started
    while True:
        done = await progress(db, run)
        if time.perf_counter() - shown >= 30:
            shown = time.perf_counter()
            print(f"  {shown - started:.0f} s: {done} of {unique} done", flush=True)
        if restart and restarted is None and done >= unique // 2:
            print(f"  restarting RabbitMQ at {done} done")
            restarted = await restart_broker(node)
        with contextlib.suppress(Exception):
            if (
                done >= unique
                and await queue_depth(connection, names.dead_letters) >= bad
                and await queue_depth(connection, names.inbox) == 0
            ):
                return time.perf_counter() - started, restarted
        await asyncio.sleep(0.5)


async def main(args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex[:8]
    burst, unique, bad = commands(run, args.commands, args.duplicates, args.invalid)
    settings = EsbSettings(prefix=f"bench-esb-{run}", callers=("bench",), prefetch=args.prefetch)
    names = EsbNames.of(settings.prefix)
    channels = ChannelsSettings()
    tickets_app = create_tickets_app(
        TicketsSettings(migration_url="http://127.0.0.1:9", attachments_dir=ATTACHMENTS)
    )
    connection = await aio_pika.connect_robust(args.broker)
    db = await asyncpg.connect(admin_dsn(os.environ["SD_DATABASE"]))
    baseline = await broker_baseline(connection, burst)
    async with tickets_app.router.lifespan_context(tickets_app), httpx.AsyncClient() as http:
        transport = httpx.ASGITransport(app=tickets_app)
        client = ServiceClient(
            "tickets",
            "http://tickets",
            auth=ClientCredentials(channels.keycloak, http),
            transport=transport,
            timeout_s=30,
        )
        database = Database(channels.db, None)
        logging.disable(logging.INFO)  # a JSON line per request would be much of the work
        tickets_rate = await tickets_baseline(TicketsGateway(client), run, args.prefetch)
        declaring = await connection.channel()
        await declare_esb(declaring, settings)
        publisher = await connection.channel(publisher_confirms=True)
        started = time.perf_counter()
        published = await publish_all(publisher, names.commands, burst, "bench.create_incident")
        esb = run_esb(args.broker, "servicedesk.events", database, TicketsGateway(client), settings)
        task = asyncio.create_task(esb)
        drained, restarted = await wait_drained(
            connection, db, run, names, unique, bad, args.restart, args.node
        )
        total = time.perf_counter() - started
        incidents = await db.fetchval(
            "select count(*) from tickets.incidents where title like $1", f"bench-esb {run} #%"
        )
        doubled = await db.fetchval(
            "select count(*) from (select title from tickets.incidents where title like $1"
            " group by title having count(*) > 1) d",
            f"bench-esb {run} #%",
        )
        dead = await queue_depth(connection, names.dead_letters)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.aclose()
        await database.dispose()
    channel = await connection.channel()
    for queue in (names.inbox, names.dead_letters, f"{settings.prefix}.followers"):
        await channel.queue_delete(queue)
    for exchange in (names.commands, names.events, names.dead_letter_exchange):
        await channel.exchange_delete(exchange)
    await connection.close()
    await db.close()
    repeats = len(burst) - unique - bad
    restart = " with a RabbitMQ restart" if args.restart else ""
    print(f"ESB burst{restart}: {len(burst)} commands")
    print(f"  {unique} unique valid, {repeats} duplicates, {bad} invalid")
    print(f"  published (confirmed) in {published:.1f} s")
    print(f"  drained {total:.1f} s after the first publish ({drained:.1f} s of consuming)")
    print(f"  {unique / drained:.0f} unique commands/s while consuming")
    if restarted is not None:
        print(f"  broker down and back in {restarted:.1f} s")
    print(f"  incidents created: {incidents} (unique valid: {unique}; titles doubled: {doubled})")
    print(f"  DLQ: {dead} (invalid: {bad})")
    print(f"  baseline, tickets alone (its API in-process, same concurrency): {tickets_rate:.0f}/s")
    print(f"  baseline, the broker alone (quorum queue, confirms, acks): {baseline:.0f} msg/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--invalid", type=float, default=0.01)
    parser.add_argument("--prefetch", type=int, default=32)
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--broker", default=BROKER_URL, help="AMQP URL of the ESB's broker")
    parser.add_argument("--node", help="its node for rabbitmqctl -n (default: the local one)")
    asyncio.run(main(parser.parse_args()))
