"""The kernel's circuit breakers: in memory, and one probe among replicas sharing a breaker
(the shared breaker's own rules are in test_shared_breaker.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from servicedesk.kernel.breaker import BreakerState, MemoryBreaker, SharedBreaker
from tests.support.infra import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def _name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


async def test_memory_breaker_opens_after_the_threshold_then_probes_once() -> None:
    breaker = MemoryBreaker(_name(), threshold=3, open_s=0.1, probe_s=1.0)
    for _ in range(2):
        await breaker.record_failure()
    assert await breaker.allow()
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.OPEN
    assert not await breaker.allow()
    await asyncio.sleep(0.12)
    assert await breaker.state() is BreakerState.HALF_OPEN
    assert [await breaker.allow() for _ in range(3)] == [True, False, False]
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.OPEN, "a failed probe opens it again"
    await asyncio.sleep(0.12)
    assert await breaker.allow()
    await breaker.record_success()
    assert await breaker.state() is BreakerState.CLOSED


async def test_memory_breaker_forgets_failures_outside_its_window() -> None:
    breaker = MemoryBreaker(_name(), threshold=2, window_s=0.05)
    await breaker.record_failure()
    await asyncio.sleep(0.06)
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.CLOSED


async def test_a_probe_that_never_reports_lets_another_probe_later() -> None:
    breaker = MemoryBreaker(_name(), threshold=1, open_s=0.01, probe_s=0.05)
    await breaker.record_failure()
    await asyncio.sleep(0.02)
    assert await breaker.allow()
    assert not await breaker.allow()
    await asyncio.sleep(0.06)
    assert await breaker.allow()


async def test_shared_breaker_is_shared_by_replicas(redis: Redis) -> None:
    name = _name()
    one, two = (SharedBreaker(redis, name, threshold=2, open_s=0.3, probe_s=1.0) for _ in range(2))
    await one.record_failure()
    await two.record_failure()
    assert await one.state() is BreakerState.OPEN
    assert not await two.allow()
    await asyncio.sleep(0.35)
    decisions = await asyncio.gather(*(b.allow() for b in (one, two, one, two)))
    assert sorted(decisions) == [False, False, False, True], "one probe among all replicas"
    await two.record_success()
    assert await one.state() is BreakerState.CLOSED
