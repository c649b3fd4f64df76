"""Reading the events log (the stream bound to the events exchange) and replaying it.

A consumer that comes later replays the log into its own queue: `replay` reads the stream from
a position (`first`, an offset, or a time), keeps the events the consumer's bindings match, and
publishes them to the consumer's queue (through the default exchange, confirmed). The consumer
handles them like any other delivery: at least once, idempotent by event id, so overlapping a
live subscription or a second replay is harmless.

Streams are read over AMQP 0-9-1 with `x-stream-offset`, a prefetch and manual acks. The end of
the log at the start of a replay is found by attaching at `last` (the last chunk) and taking the
highest offset delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from servicedesk.kernel.broker import Topology, declare_topology
from servicedesk.kernel.consumer import declare_consumer_queue

OFFSET_HEADER = "x-stream-offset"
REPLAYED_HEADER = "x-replayed-from-offset"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a reading starts: `first`, an offset, or a time."""

    kind: str
    offset: int | None = None
    time: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> Position:
        """`first`, `offset N` / `offset:N` / `N`, or an ISO 8601 time (UTC if no zone)."""
        text = text.strip()
        if text == "first":
            return cls("first")
        match = re.fullmatch(r"(?:offset[ :=]?)?\s*(\d+)", text)
        if match:
            return cls("offset", offset=int(match[1]))
        try:
            moment = datetime.fromisoformat(text.removeprefix("timestamp").strip(" :="))
        except ValueError:
            raise ValueError(f"not a position: {text!r} (first, offset N, or a time)") from None
        return cls("time", time=moment if moment.tzinfo else moment.replace(tzinfo=UTC))

    def argument(self) -> Any:
        if self.kind == "offset":
            return self.offset
        if self.kind == "time":
            return self.time
        return "first"

    def admits(self, message: AbstractIncomingMessage) -> bool:
        """A time attaches at the chunk holding it; earlier messages of that chunk are skipped
        (by the publish time the relay stamps, to the second)."""
        if self.kind != "time" or self.time is None or message.timestamp is None:
            return True
        stamped = message.timestamp
        stamped = stamped if stamped.tzinfo else stamped.replace(tzinfo=UTC)
        return stamped >= self.time.replace(microsecond=0)


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more."""

    def match(p: Sequence[str], k: Sequence[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and p[0] in ("*", k[0]) and match(p[1:], k[1:])

    return match(pattern.split("."), key.split("."))


def offset_of(message: AbstractIncomingMessage) -> int:
    return int((message.headers or {}).get(OFFSET_HEADER, -1))  # type: ignore[arg-type]


async def _attach(
    channel: AbstractChannel, stream: str, start: Any, prefetch: int
) -> tuple[asyncio.Queue[AbstractIncomingMessage], Callable[[], Any]]:
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(stream, ensure=False)
    inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(inbox.put, arguments={OFFSET_HEADER: start})
    return inbox, lambda: queue.cancel(tag)


async def log_bounds(
    connection: AbstractConnection, exchange: str, settle_s: float = 0.5
) -> tuple[AbstractIncomingMessage, AbstractIncomingMessage] | None:
    """The first and the last message of the log now; None if it is empty."""
    ends = []
    for start in ("first", "last"):
        channel = await connection.channel()
        try:
            await declare_topology(channel, exchange)
            inbox, cancel = await _attach(channel, Topology.of(exchange).log, start, 1000)
            seen: AbstractIncomingMessage | None = None
            give_up = asyncio.get_running_loop().time() + 10 * settle_s  # a busy log moves on
            with contextlib.suppress(TimeoutError):
                while asyncio.get_running_loop().time() < give_up:
                    message = await asyncio.wait_for(inbox.get(), settle_s)
                    await message.ack()
                    if seen is None or offset_of(message) > offset_of(seen):
                        seen = message
                    if start == "first":
                        break
            await cancel()
        finally:
            await channel.close()
        if seen is None:
            return None
        ends.append(seen)
    return ends[0], ends[1]


async def read_log(
    connection: AbstractConnection,
    exchange: str,
    position: Position,
    *,
    until: int,
    prefetch: int = 500,
    idle_s: float = 10.0,
) -> AsyncIterator[AbstractIncomingMessage]:
    """The log's messages from `position` up to offset `until` (included), in order."""
    channel = await connection.channel()
    try:
        inbox, _ = await _attach(channel, Topology.of(exchange).log, position.argument(), prefetch)
        for count in itertools.count(1):
            try:
                message = await asyncio.wait_for(inbox.get(), idle_s)
            except TimeoutError:
                return  # the log ended before `until` (retention, or nothing more)
            offset = offset_of(message)
            if count % (prefetch // 4 or 1) == 0:  # acks give the stream credit to send more
                await message.ack(multiple=True)
            if offset > until:
                return
            if position.admits(message):
                yield message
            if offset >= until:
                return
    finally:
        await channel.close()


@dataclass(slots=True)
class ReplayProgress:
    first: int | None = None
    last: int = -1
    read: int = 0
    fed: int = 0
    position: int = -1


async def replay(
    url: str,
    exchange: str,
    consumer: str,
    bindings: Sequence[str],
    position: Position,
    *,
    on_progress: Callable[[ReplayProgress], None] = lambda _: None,
    batch: int = 200,
) -> ReplayProgress:
    """Feeds the consumer's queue with the logged events its bindings match, from `position` to
    the end of the log as it was when the replay started. Declares the queue (with its bindings,
    so live events keep arriving) if the consumer has never run."""
    progress = ReplayProgress()
    connection = await aio_pika.connect(url, timeout=10)
    async with connection:
        setup = await connection.channel()
        await declare_consumer_queue(setup, exchange, consumer, bindings)
        await setup.close()
        bounds = await log_bounds(connection, exchange)
        if bounds is None:
            return progress
        progress.first, progress.last = offset_of(bounds[0]), offset_of(bounds[1])
        on_progress(progress)
        publishing = await connection.channel(publisher_confirms=True)
        pending: list[Any] = []
        async for message in read_log(connection, exchange, position, until=progress.last):
            progress.read += 1
            progress.position = offset_of(message)
            key = message.type or message.routing_key or ""
            if any(topic_matches(pattern, key) for pattern in bindings):
                pending.append(publishing.default_exchange.publish(_copy(message), consumer))
                progress.fed += 1
            if len(pending) >= batch:
                await asyncio.gather(*pending)
                pending.clear()
                on_progress(progress)
        await asyncio.gather(*pending)
        on_progress(progress)
    return progress


def _copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k != OFFSET_HEADER}
    headers[REPLAYED_HEADER] = offset_of(message)
    return aio_pika.Message(
        message.body,
        headers=headers,
        message_id=message.message_id,
        type=message.type,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        timestamp=message.timestamp,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
