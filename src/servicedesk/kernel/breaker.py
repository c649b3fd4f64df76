"""Circuit breakers: stop calling a target that keeps failing, then probe it back to health.

Closed: calls go through; failures are counted. After `threshold` failures in a row (within
`window_s`) it opens: calls are refused at once for `open_s`. Then it is half-open: one caller
at a time gets to probe (for at most `probe_s`); a success closes it, a failure opens it again.

`MemoryBreaker` keeps that in one process. `SharedBreaker` keeps it in Redis, so every replica
of a service sees the same state; when Redis cannot be reached it falls back to a breaker of its
own in memory, so the target is still protected, just not in concert.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from servicedesk.kernel.metrics import BREAKER_OPENED, BREAKER_STATE

log = logging.getLogger(__name__)


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


_GAUGE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


def _show(name: str, state: BreakerState) -> None:
    BREAKER_STATE.labels(name).set(_GAUGE[state])


class Breaker(Protocol):
    """What a caller asks before a call and tells after it."""

    name: str

    async def allow(self) -> bool: ...

    async def record_success(self) -> None: ...

    async def record_failure(self) -> None: ...

    async def state(self) -> BreakerState: ...


@dataclass
class MemoryBreaker:
    """The rules in this process's memory."""

    name: str
    threshold: int = 5
    window_s: float = 30.0
    open_s: float = 10.0
    probe_s: float = 5.0
    failures: int = field(default=0, init=False)
    _first_failure_at: float = field(default=0.0, init=False)
    _open_until: float = field(default=0.0, init=False)
    _tripped: bool = field(default=False, init=False)
    _probe_until: float = field(default=0.0, init=False)

    async def allow(self) -> bool:
        return self.allow_now()

    def allow_now(self) -> bool:
        now = time.monotonic()
        if now < self._open_until:
            return False
        if self._tripped:
            if now < self._probe_until:
                return False  # another caller is probing
            self._probe_until = now + self.probe_s
            _show(self.name, BreakerState.HALF_OPEN)
        return True

    async def record_success(self) -> None:
        self.reset()

    def reset(self) -> None:
        if self._tripped or self.failures:
            _show(self.name, BreakerState.CLOSED)
        self.failures, self._open_until, self._tripped, self._probe_until = 0, 0.0, False, 0.0

    async def record_failure(self) -> None:
        self.fail_now()

    def fail_now(self) -> None:
        now = time.monotonic()
        if self.failures and now - self._first_failure_at > self.window_s:
            self.failures = 0
        if not self.failures:
            self._first_failure_at = now
        self.failures += 1
        if self._tripped or self.failures >= self.threshold:
            log.warning("circuit breaker %s opens for %.1f s", self.name, self.open_s)
            BREAKER_OPENED.labels(self.name).inc()
            _show(self.name, BreakerState.OPEN)
            self._open_until = now + self.open_s
            self._tripped, self._probe_until, self.failures = True, 0.0, 0

    async def state(self) -> BreakerState:
        return self.state_now()

    def state_now(self) -> BreakerState:
        if time.monotonic() < self._open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN if self._tripped else BreakerState.CLOSED


@dataclass
class SharedBreaker:
    """The rules in Redis, shared by every replica; in memory while Redis is away."""

    redis: Redis
    name: str
    threshold: int = 5
    window_s: int = 30
    open_s: float = 10.0
    probe_s: float = 5.0
    _local: MemoryBreaker = field(init=False)

    def __post_init__(self) -> None:
        self._local = MemoryBreaker(
            self.name, self.threshold, self.window_s, self.open_s, self.probe_s
        )

    def _key(self, part: str) -> str:
        return f"sd:breaker:{self.name}:{part}"

    async def allow(self) -> bool:
        """May a call go to the target now? In half-open state, one caller may."""
        try:
            if await self.redis.exists(self._key("open")):
                return False
            if not await self.redis.exists(self._key("tripped")):
                return True
            probe = await self.redis.set(
                self._key("probe"), "1", nx=True, px=int(self.probe_s * 1000)
            )
            if probe:
                _show(self.name, BreakerState.HALF_OPEN)
            return bool(probe)
        except RedisError:
            return self._local.allow_now()

    async def record_success(self) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.delete(
                self._key("failures"), self._key("tripped"), self._key("probe"), self._key("open")
            )
        self._local.reset()
        _show(self.name, BreakerState.CLOSED)

    async def record_failure(self) -> None:
        try:
            failures = await self.redis.incr(self._key("failures"))
            await self.redis.expire(self._key("failures"), self.window_s)
            half_open = await self.redis.exists(self._key("tripped"))
            if half_open or failures >= self.threshold:
                await self._trip()
        except RedisError:
            self._local.fail_now()

    async def _trip(self) -> None:
        log.warning("circuit breaker %s opens for %.1f s", self.name, self.open_s)
        BREAKER_OPENED.labels(self.name).inc()
        _show(self.name, BreakerState.OPEN)
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
            return self._local.state_now()
