"""The shared circuit breaker on real Redis: trips, refuses, probes, closes; shared by replicas;
in memory per replica while Redis is away."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from servicedesk.kernel.breaker import BreakerState
from servicedesk.kernel.breaker import SharedBreaker as CircuitBreaker
from tests.support.infra import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def _breaker(redis: Redis, name: str) -> CircuitBreaker:
    return CircuitBreaker(redis, name, threshold=3, window_s=30, open_s=0.3, probe_s=1.0)


async def test_it_opens_after_the_threshold_and_refuses_calls(redis: Redis) -> None:
    breaker = _breaker(redis, f"test-{uuid.uuid4().hex[:8]}")
    for _ in range(2):
        await breaker.record_failure()
    assert await breaker.allow()
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.OPEN
    assert not await breaker.allow()


async def test_a_success_resets_the_count(redis: Redis) -> None:
    breaker = _breaker(redis, f"test-{uuid.uuid4().hex[:8]}")
    for _ in range(2):
        await breaker.record_failure()
    await breaker.record_success()
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.CLOSED


async def test_half_open_lets_one_probe_through(redis: Redis) -> None:
    breaker = _breaker(redis, f"test-{uuid.uuid4().hex[:8]}")
    for _ in range(3):
        await breaker.record_failure()
    await asyncio.sleep(0.35)
    assert await breaker.state() is BreakerState.HALF_OPEN
    decisions = await asyncio.gather(*(breaker.allow() for _ in range(5)))
    assert sorted(decisions) == [False] * 4 + [True]


async def test_a_failed_probe_opens_it_again_and_a_good_one_closes_it(redis: Redis) -> None:
    breaker = _breaker(redis, f"test-{uuid.uuid4().hex[:8]}")
    for _ in range(3):
        await breaker.record_failure()
    await asyncio.sleep(0.35)
    assert await breaker.allow()
    await breaker.record_failure()
    assert await breaker.state() is BreakerState.OPEN
    await asyncio.sleep(0.35)
    assert await breaker.allow()
    await breaker.record_success()
    assert await breaker.state() is BreakerState.CLOSED
    assert await breaker.allow()


async def test_replicas_share_one_breaker(redis: Redis) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    replica_a, replica_b = _breaker(redis, name), _breaker(redis, name)
    for _ in range(3):
        await replica_a.record_failure()
    assert not await replica_b.allow(), "a breaker opened by one replica holds for all"


async def test_without_redis_each_replica_still_protects_its_target() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    breaker = _breaker(unreachable, "offline")
    try:
        assert await breaker.allow()
        for _ in range(3):
            await breaker.record_failure()
        assert await breaker.state() is BreakerState.OPEN
        assert not await breaker.allow()
        await asyncio.sleep(0.35)
        assert await breaker.allow()
        assert not await breaker.allow(), "one probe at a time"
        await breaker.record_success()
        assert await breaker.state() is BreakerState.CLOSED
    finally:
        await unreachable.aclose()
