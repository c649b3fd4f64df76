"""What the proxy tells Prometheus beside the kernel's RED metrics and the cache lookups."""

from prometheus_client import Counter, Gauge, Histogram

LEGACY_CALLS = Histogram(
    "migration_legacy_call_seconds",
    "Calls to the legacy system, by operation and outcome (ok, or why it failed)",
    ["operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 2.5, 5.0),
)
LEGACY_RETRIES = Counter(
    "migration_legacy_retries_total", "Reads sent again after a failed connection"
)
MIGRATED = Gauge(
    "migration_records",
    "Records per entity: known in legacy, and moved into ours (as of the last progress read)",
    ["entity", "state"],
    multiprocess_mode="max",
)
PARTIAL_ANSWERS = Counter(
    "migration_partial_answers_total", "Answers missing a source", ["source", "reason"]
)
RECORDS_MOVED = Counter(
    "migration_records_moved_total", "Legacy records moved into ours", ["entity", "how"]
)
BREAKER_OPEN = Gauge(
    "migration_breaker_open",
    "1 while the breaker around the legacy system is open",
    [],
    multiprocess_mode="max",
)
