"""A short-lived cache of directory answers in Redis (keys `tickets:directory:*`), shared by
every replica; with no Redis, or Redis down, every call loads afresh."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CACHE_PREFIX = "tickets:directory:"
CACHE_TTL_S = 30
T = TypeVar("T")


class DirectoryCache:
    def __init__(self, redis: Redis | None, ttl_s: int, backoff_s: float) -> None:
        self.redis = redis
        self.cache_ttl_s = ttl_s
        self.redis_backoff_s = backoff_s
        # Not a cache: only when this process last saw Redis fail, to skip it for a few seconds.
        self._redis_failed_at = float("-inf")

    async def cached(
        self, key: str, adapter: TypeAdapter[T], load: Callable[[], Awaitable[T | None]]
    ) -> T | None:
        """The cached answer, else `load()`'s, cached for `cache_ttl_s` (None is not cached)."""
        full_key = f"{CACHE_PREFIX}{key}"
        redis = self._redis_usable()
        if redis is not None:
            try:
                raw = await redis.get(full_key)
            except RedisError:
                self._redis_failed()
                redis = None
            else:
                if raw is not None:
                    try:
                        return adapter.validate_json(raw)
                    except ValidationError:
                        log.warning("unreadable directory cache entry", extra={"key": full_key})
        value = await load()
        if value is not None and redis is not None:
            try:
                await redis.set(full_key, adapter.dump_json(value), ex=self.cache_ttl_s)
            except RedisError:
                self._redis_failed()
        return value

    def _redis_usable(self) -> Redis | None:
        if self.redis is None:
            return None
        if time.monotonic() - self._redis_failed_at < self.redis_backoff_s:
            return None
        return self.redis

    def _redis_failed(self) -> None:
        log.warning("redis unavailable; the directory reads Keycloak uncached", exc_info=True)
        self._redis_failed_at = time.monotonic()
