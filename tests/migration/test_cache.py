"""The legacy cache on real Redis: fetch times kept, TTL with jitter, misses remembered,
one fetch per key at a time, and service without Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from servicedesk.migration.adapters.legacy_cache import LegacyCache
from tests.support.infra import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


class CountingFetch:
    def __init__(self, value: dict[str, Any] | None, delay_s: float = 0.0) -> None:
        self.value = value
        self.delay_s = delay_s
        self.calls = 0

    async def __call__(self) -> dict[str, Any] | None:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        return self.value


def _key() -> str:
    return f"customer:{uuid.uuid4().hex[:8]}"


async def test_a_fetch_is_cached_with_its_fetch_time(redis: Redis) -> None:
    cache = LegacyCache(redis, "test")
    fetch = CountingFetch({"FullName": "Иванов Иван"})
    key = _key()
    before = time.time()
    first = await cache.get_or_fetch(key, fetch)
    second = await cache.get_or_fetch(key, fetch)
    assert fetch.calls == 1
    assert (first.hit, second.hit) == (False, True)
    assert second.value == {"FullName": "Иванов Иван"}
    assert before <= second.fetched_at == first.fetched_at <= time.time()


async def test_entries_expire_with_jitter(redis: Redis) -> None:
    cache = LegacyCache(redis, "test", ttl_s=10, jitter=0.1)
    ttls = []
    for _ in range(20):
        key = _key()
        await cache.get_or_fetch(key, CountingFetch({"x": 1}))
        ttls.append(await redis.pttl(f"sd:legacy-cache:test:{key}"))
    assert all(9000 - 50 <= ttl <= 11000 for ttl in ttls)
    assert len(set(ttls)) > 5, "expiry times are spread"


async def test_a_miss_is_remembered_for_a_shorter_time(redis: Redis) -> None:
    cache = LegacyCache(redis, "test", ttl_s=300, negative_ttl_s=5, jitter=0)
    fetch = CountingFetch(None)
    key = _key()
    assert (await cache.get_or_fetch(key, fetch)).value is None
    again = await cache.get_or_fetch(key, fetch)
    assert again.hit
    assert again.value is None
    assert fetch.calls == 1
    assert 0 < await redis.pttl(f"sd:legacy-cache:test:{key}") <= 5000


async def test_one_fetch_per_key_however_many_ask_at_once(redis: Redis) -> None:
    cache = LegacyCache(redis, "test")
    fetch = CountingFetch({"x": 1}, delay_s=0.2)
    key = _key()
    answers = await asyncio.gather(*(cache.get_or_fetch(key, fetch) for _ in range(10)))
    assert fetch.calls == 1
    assert all(a.value == {"x": 1} for a in answers)


async def test_a_failed_leader_does_not_block_the_others(redis: Redis) -> None:
    cache = LegacyCache(redis, "test", lock_s=2)
    key = _key()

    async def failing() -> dict[str, Any] | None:
        await asyncio.sleep(0.1)
        raise TimeoutError("legacy too slow")

    good = CountingFetch({"x": 2})
    leader = asyncio.create_task(cache.get_or_fetch(key, failing))
    await asyncio.sleep(0.02)
    follower = await cache.get_or_fetch(key, good)
    with pytest.raises(TimeoutError):
        await leader
    assert follower.value == {"x": 2}
    assert good.calls == 1


async def test_without_redis_every_call_fetches_and_says_so() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    cache = LegacyCache(unreachable, "test")
    fetch = CountingFetch({"x": 3})
    try:
        answers = [await cache.get_or_fetch("k", fetch) for _ in range(2)]
    finally:
        await unreachable.aclose()
    assert fetch.calls == 2
    assert all(a.value == {"x": 3} and not a.cached and not a.hit for a in answers)
