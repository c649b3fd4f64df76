"""A circuit breaker around the legacy system, shared by every proxy replica through Redis.

Closed: calls go through; failures are counted. After `threshold` failures in a row (within
`window_s`) it opens: calls are refused at once for `open_s`. Then it is half-open: one caller
at a time gets to probe; a success closes it, a failure opens it again. When Redis cannot be
reached, each replica keeps a breaker of its own in memory, so the legacy system is still
protected, just not in concert.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass
class _LocalBreaker:
    """The same rules in process memory, for when Redis is down."""

    failures: int = 0
    open_until: float = 0.0
    tripped: bool = False
    probing: bool = False


@dataclass
class CircuitBreaker:
    redis: Redis
    name: str
    threshold: int = 5
    window_s: int = 30
    open_s: float = 10.0
    probe_s: float = 5.0
    _local: _LocalBreaker = field(default_factory=_LocalBreaker)

    def _key(self, part: str) -> str:
        return f"sd:breaker:{self.name}:{part}"

    async def allow(self) -> bool:
        """May a call go to the legacy system now? In half-open state, one caller may."""
        try:
            if await self.redis.exists(self._key("open")):
                return False
            if not await self.redis.exists(self._key("tripped")):
                return True
            probe = await self.redis.set(
                self._key("probe"), "1", nx=True, px=int(self.probe_s * 1000)
            )
            return bool(probe)
        except RedisError:
            return self._local_allow()

    async def record_success(self) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.delete(
                self._key("failures"), self._key("tripped"), self._key("probe"), self._key("open")
            )
        self._local = _LocalBreaker()

    async def record_failure(self) -> None:
        try:
            failures = await self.redis.incr(self._key("failures"))
            await self.redis.expire(self._key("failures"), self.window_s)
            half_open = await self.redis.exists(self._key("tripped"))
            if half_open or failures >= self.threshold:
                await self._trip()
        except RedisError:
            self._local_failure()

    async def _trip(self) -> None:
        log.warning("circuit breaker %s opens for %.1f s", self.name, self.open_s)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("open"), "1", px=int(self.open_s * 1000))
            pipe.set(self._key("tripped"), "1")
            pipe.delete(self._key("probe"), self._key("failures"))
            await pipe.execute()

    async def state(self) -> BreakerState:
        try:
            if await self.redis.exists(self._key("open")):
                return BreakerState.OPEN
            if await self.redis.exists(self._key("tripped")):
                return BreakerState.HALF_OPEN
            return BreakerState.CLOSED
        except RedisError:
            return self._local_state()

    def _local_allow(self) -> bool:
        local = self._local
        if time.monotonic() < local.open_until:
            return False
        if local.tripped:
            if local.probing:
                return False
            local.probing = True
        return True

    def _local_failure(self) -> None:
        local = self._local
        local.failures += 1
        if local.tripped or local.failures >= self.threshold:
            local.open_until = time.monotonic() + self.open_s
            local.tripped, local.probing, local.failures = True, False, 0

    def _local_state(self) -> BreakerState:
        if time.monotonic() < self._local.open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN if self._local.tripped else BreakerState.CLOSED
