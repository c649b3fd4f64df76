"""Runtime fault knobs: added latency, errors, hangs and outages, shared by every replica.

The knobs live in Redis under one key, so every replica of the simulator obeys the same ones.
Each process reads them through a cache of at most `faults_cache_s` (≤ 1 s). Without a key in
Redis the knobs are the environment's (`SD_LEGACY_FAULTS__*`); if Redis cannot be reached the
process keeps the knobs it saw last.

Per API request, in this order: `outage` refuses it at once with 503; otherwise the request
waits `latency_ms` ± a uniform `jitter_ms` (never below 0), plus `hang_ms` for a `hang_rate`
fraction of requests; then an `error_rate` fraction is answered with one of `error_statuses`;
the rest are answered normally. A `seed` makes the draws of each process reproducible.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from typing import Literal

from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from servicedesk.legacy.errors import LegacyError

log = logging.getLogger(__name__)
FAULTS_INJECTED = Counter(
    "legacy_faults_injected_total", "Faults the legacy simulator injected", ["kind"]
)
ErrorStatus = Literal[500, 502, 503, 504]
_USUAL_ERRORS: tuple[ErrorStatus, ...] = (500, 502, 503)


class FaultKnobs(BaseModel):
    """What the simulator does to each API request; the defaults do nothing."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(0, ge=0, le=600_000, description="added to every API request")
    jitter_ms: int = Field(0, ge=0, le=600_000, description="± uniform around latency_ms")
    error_rate: float = Field(0.0, ge=0, le=1, description="fraction answered with a 5xx")
    error_statuses: list[ErrorStatus] = Field(
        default_factory=lambda: list(_USUAL_ERRORS), min_length=1, description="picked uniformly"
    )
    hang_rate: float = Field(0.0, ge=0, le=1, description="fraction that hang for hang_ms")
    hang_ms: int = Field(30_000, ge=0, le=600_000)
    outage: bool = Field(False, description="every API request refused at once with 503")
    seed: int | None = Field(None, description="makes each process's draws reproducible")


class _Stored(BaseModel):
    knobs: FaultKnobs
    revision: str


class FaultStore:
    """The knobs in Redis, read through a short per-process cache."""

    def __init__(self, redis: Redis, key: str, baseline: FaultKnobs, cache_s: float) -> None:
        self.redis = redis
        self.key = key
        self.baseline = baseline
        self.cache_s = cache_s
        self._current = _Stored(knobs=baseline, revision="environment")
        self._read_at = float("-inf")

    async def current(self) -> _Stored:
        if time.monotonic() - self._read_at > self.cache_s:
            self._read_at = time.monotonic()
            self._current = await self._read()
        return self._current

    async def knobs(self, *, fresh: bool = False) -> FaultKnobs:
        if fresh:
            self._read_at = float("-inf")
        return (await self.current()).knobs

    async def replace(self, knobs: FaultKnobs) -> FaultKnobs:
        stored = _Stored(knobs=knobs, revision=uuid.uuid4().hex)
        await self.redis.set(self.key, stored.model_dump_json())
        self._remember(stored)
        return knobs

    async def reset(self) -> FaultKnobs:
        await self.redis.delete(self.key)
        self._remember(_Stored(knobs=self.baseline, revision="environment"))
        return self.baseline

    def _remember(self, stored: _Stored) -> None:
        self._current, self._read_at = stored, time.monotonic()

    async def _read(self) -> _Stored:
        try:
            raw = await self.redis.get(self.key)
        except RedisError:
            log.warning("fault knobs unreadable from Redis; keeping the last ones seen")
            return self._current
        if raw is None:
            return _Stored(knobs=self.baseline, revision="environment")
        try:
            return _Stored.model_validate(json.loads(raw))
        except (ValueError, ValidationError):
            log.warning("fault knobs in Redis are malformed; using the environment's")
            return _Stored(knobs=self.baseline, revision="environment")


class FaultInjector:
    """Applies the knobs to one request; draws come from a per-process generator."""

    def __init__(self, store: FaultStore) -> None:
        self.store = store
        self._revision: str | None = None
        self._random = random.Random()  # noqa: S311 - fault injection, not cryptography

    def _draws(self, stored: _Stored) -> random.Random:
        if stored.revision != self._revision:
            self._revision = stored.revision
            seed = stored.knobs.seed
            self._random = random.Random(seed)  # noqa: S311 - reproducible on purpose
        return self._random

    async def apply(self) -> None:
        stored = await self.store.current()
        knobs, draws = stored.knobs, self._draws(stored)
        if knobs.outage:
            FAULTS_INJECTED.labels("outage").inc()
            raise LegacyError(503, "Service temporarily unavailable (maintenance)")
        hangs = knobs.hang_rate > 0 and draws.random() < knobs.hang_rate
        delay_ms: float = knobs.latency_ms
        if knobs.jitter_ms:
            delay_ms += draws.uniform(-knobs.jitter_ms, knobs.jitter_ms)
        if hangs:
            FAULTS_INJECTED.labels("hang").inc()
            delay_ms += knobs.hang_ms
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)
        if knobs.error_rate > 0 and draws.random() < knobs.error_rate:
            status = draws.choice(knobs.error_statuses)
            FAULTS_INJECTED.labels(f"error-{status}").inc()
            raise LegacyError(status, _ERROR_TEXTS[status])


_ERROR_TEXTS = {
    500: "Internal server error",
    502: "Bad gateway: upstream application server did not answer",
    503: "Service temporarily unavailable, try again later",
    504: "Gateway timeout: application server did not answer in time",
}
