"""Reading from the legacy system the proxy's way: through the cache and the shared breaker,
within the call's deadline; a failure makes the answer partial, never an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel

from servicedesk.migration.adapters.legacy_api import LegacyUnavailable
from servicedesk.migration.adapters.legacy_cache import Cached
from servicedesk.migration.metrics import BREAKER_OPEN, PARTIAL_ANSWERS
from servicedesk.migration.ports import LegacySide
from servicedesk.migration.schemas import JsonObject, PartialSource

Record = TypeVar("Record", bound=BaseModel)


async def read_records(
    side: LegacySide,
    key: str,
    model: type[Record],
    fetch: Callable[[], Awaitable[list[Record]]],
) -> tuple[list[Record], PartialSource | None]:
    """Records the legacy system gives for `key`: cached, or fetched if the breaker allows;
    on failure, what the cache still holds, marked partial."""

    async def fetch_entry() -> JsonObject:
        return {"records": [record.model_dump(mode="json") for record in await fetch()]}

    if not await side.breaker.allow():
        BREAKER_OPEN.set(1)
        return _records(model, await side.cache.peek(key)), _partial("legacy", "breaker-open")
    try:
        answer = await side.cache.get_or_fetch(key, fetch_entry)
    except LegacyUnavailable as exc:
        await side.breaker.record_failure()
        return _records(model, await side.cache.peek(key)), _partial("legacy", exc.reason)
    if not answer.hit:
        await side.breaker.record_success()
        BREAKER_OPEN.set(0)
    partial = None if answer.cached else _partial("cache", "redis-unavailable")
    return _records(model, answer), partial


def _partial(source: str, reason: str) -> PartialSource:
    PARTIAL_ANSWERS.labels(source, reason).inc()
    return PartialSource(source=source, reason=reason)


def _records(model: type[Record], cached: Cached | None) -> list[Record]:
    if cached is None or cached.value is None:
        return []
    return [model.model_validate(record) for record in cached.value["records"]]
