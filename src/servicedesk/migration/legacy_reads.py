"""Reading from the legacy system the proxy's way: through the cache and the shared breaker,
within the call's deadline; a failure makes the answer partial, never an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from servicedesk.migration.cache import Cached
from servicedesk.migration.legacy_client import LegacyUnavailable
from servicedesk.migration.metrics import BREAKER_OPEN, PARTIAL_ANSWERS
from servicedesk.migration.moving import LegacySide


@dataclass(frozen=True, slots=True)
class Partial:
    """Why an answer lacks a source: which one, and what went wrong with it."""

    source: str
    reason: str

    def header(self) -> str:
        return f"{self.source}={self.reason}"

    def body(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason}


async def read_records(
    side: LegacySide, key: str, fetch: Callable[[], Awaitable[list[dict[str, Any]]]]
) -> tuple[list[dict[str, Any]], Partial | None]:
    """Records the legacy system gives for `key`: cached, or fetched if the breaker allows;
    on failure, what the cache still holds, marked partial."""

    async def fetch_entry() -> dict[str, Any]:
        return {"records": await fetch()}

    if not await side.breaker.allow():
        BREAKER_OPEN.set(1)
        return _records(await side.cache.peek(key)), _partial("legacy", "breaker-open")
    try:
        answer = await side.cache.get_or_fetch(key, fetch_entry)
    except LegacyUnavailable as exc:
        await side.breaker.record_failure()
        return _records(await side.cache.peek(key)), _partial("legacy", exc.reason)
    if not answer.hit:
        await side.breaker.record_success()
        BREAKER_OPEN.set(0)
    partial = None if answer.cached else _partial("cache", "redis-unavailable")
    return _records(answer), partial


def _partial(source: str, reason: str) -> Partial:
    PARTIAL_ANSWERS.labels(source, reason).inc()
    return Partial(source, reason)


def _records(cached: Cached | None) -> list[dict[str, Any]]:
    if cached is None or cached.value is None:
        return []
    return list(cached.value["records"])
