"""The cache of what the legacy system answered, in Redis, shared by every proxy replica.

Each entry carries when it was fetched. Hits live `ttl_s` give or take `jitter` (so entries
fetched together do not expire together); a miss (the legacy system has no such record) is
remembered too, for `negative_ttl_s`. Only one caller fetches a given key at a time; the others
wait for its entry. With Redis down, every call fetches, and the answer says it was not cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

CACHE_LOOKUPS = Counter(
    "migration_cache_lookups_total", "Legacy cache lookups", ["cache", "outcome"]
)
Fetch = Callable[[], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class Cached:
    value: dict[str, Any] | None  # None: the legacy system has no such record
    fetched_at: float  # unix time of the fetch from the legacy system
    hit: bool  # served from the cache, without calling the legacy system
    cached: bool  # the cache could be used at all (False while Redis is down)


@dataclass
class LegacyCache:
    redis: Redis
    name: str
    ttl_s: float = 300.0
    negative_ttl_s: float = 30.0
    jitter: float = 0.1
    lock_s: float = 5.0
    poll_s: float = 0.02

    def _key(self, key: str) -> str:
        return f"sd:legacy-cache:{self.name}:{key}"

    async def get_or_fetch(self, key: str, fetch: Fetch) -> Cached:
        try:
            found = await self._read(key)
        except RedisError:
            return await self._uncached(fetch)
        if found is not None:
            CACHE_LOOKUPS.labels(self.name, "hit").inc()
            return found
        CACHE_LOOKUPS.labels(self.name, "miss").inc()
        try:
            leader = await self.redis.set(
                self._key(f"{key}:lock"), "1", nx=True, px=int(self.lock_s * 1000)
            )
        except RedisError:
            return await self._uncached(fetch)
        if leader:
            return await self._fetch_and_store(key, fetch)
        try:
            return await self._wait_for(key, fetch)
        except RedisError:
            return await self._uncached(fetch)

    async def peek(self, key: str) -> Cached | None:
        """What the cache holds for the key, without fetching; None when nothing (or no Redis)."""
        try:
            return await self._read(key)
        except RedisError:
            return None

    async def put(self, key: str, value: dict[str, Any] | None, fetched_at: float) -> None:
        """Stores what was fetched another way (e.g. a page of search results)."""
        ttl = self.ttl_s if value is not None else self.negative_ttl_s
        ttl *= 1 + random.uniform(-self.jitter, self.jitter)  # noqa: S311 - spread, not secrecy
        entry = json.dumps({"value": value, "fetched_at": fetched_at}, ensure_ascii=False)
        await self.redis.set(self._key(key), entry, px=max(1, int(ttl * 1000)))

    async def remember(self, key: str, value: dict[str, Any] | None, fetched_at: float) -> None:
        """`put`, at best: without Redis the record is simply not cached."""
        with contextlib.suppress(RedisError):
            await self.put(key, value, fetched_at)

    async def forget(self, key: str) -> None:
        await self.redis.delete(self._key(key))

    async def _read(self, key: str) -> Cached | None:
        raw = await self.redis.get(self._key(key))
        if raw is None:
            return None
        entry = json.loads(raw)
        return Cached(entry["value"], entry["fetched_at"], hit=True, cached=True)

    async def _fetch_and_store(self, key: str, fetch: Fetch) -> Cached:
        """Fetches, stores, then lets the waiting callers go (the lock goes last)."""
        try:
            value = await fetch()
            fetched_at = time.time()
            try:
                await self.put(key, value, fetched_at)
            except RedisError:
                return Cached(value, fetched_at, hit=False, cached=False)
            return Cached(value, fetched_at, hit=False, cached=True)
        finally:
            with contextlib.suppress(RedisError):
                await self.redis.delete(self._key(f"{key}:lock"))

    async def _wait_for(self, key: str, fetch: Fetch) -> Cached:
        """Another caller is fetching this key: wait for its entry, within the lock's life."""
        deadline = time.monotonic() + self.lock_s
        while time.monotonic() < deadline:
            await asyncio.sleep(self.poll_s)
            found = await self._read(key)
            if found is not None:
                return found
            if not await self.redis.exists(self._key(f"{key}:lock")):
                # the leader is done: it stored its entry just before (read it again, since it
                # may have come between our read and this check), or it failed
                found = await self._read(key)
                if found is not None:
                    return found
                break  # the leader failed: fetch ourselves
        return await self._fetch_and_store(key, fetch)

    async def _uncached(self, fetch: Fetch) -> Cached:
        CACHE_LOOKUPS.labels(self.name, "unavailable").inc()
        return Cached(await fetch(), time.time(), hit=False, cached=False)
