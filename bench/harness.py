"""Closed-loop load at a fixed concurrency; latency percentiles and throughput."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Call = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Figures:
    count: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def closed_loop(
    call: Call, *, requests: int, concurrency: int, warmup: int, seconds: float | None = None
) -> Figures:
    """`concurrency` workers issue `requests` calls in all, each as soon as its last returned;
    with `seconds`, they stop issuing calls after that long, however many are left."""
    for i in range(warmup):
        await call(i)
    counter = itertools.count()
    latencies: list[float] = []
    deadline = None if seconds is None else time.perf_counter() + seconds

    async def worker() -> None:
        while (i := next(counter)) < requests:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            await call(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Figures(
        count=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
