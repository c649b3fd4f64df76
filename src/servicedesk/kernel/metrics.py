"""Prometheus metrics: RED per route, plus whatever domain counters a service registers."""

from __future__ import annotations

import os

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_ERRORS = Counter(
    "http_request_errors_total", "HTTP requests answered 5xx", ["service", "method", "route"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOX_PENDING = Gauge(
    "outbox_pending_events",
    "Events written but not yet published",
    ["service"],
    multiprocess_mode="max",
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Events published to the broker", ["service"])
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by a consumer", ["service", "consumer", "outcome"]
)

SERVICE_CALLS = Counter(
    "service_calls_total",
    "Calls to other services, by outcome (2xx…5xx, timeout, error, breaker-open, deadline)",
    ["target", "method", "outcome"],
)
SERVICE_CALL_LATENCY = Histogram(
    "service_call_duration_seconds",
    "Time one try of a call to another service took",
    ["target", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SERVICE_CALL_RETRIES = Counter(
    "service_call_retries_total", "Calls to other services tried again", ["target", "method"]
)
BREAKER_STATE = Gauge(
    "circuit_breaker_state",
    "State of the circuit breaker before a target: 0 closed, 1 half-open, 2 open",
    ["target"],
    multiprocess_mode="max",
)
BREAKER_OPENED = Counter(
    "circuit_breaker_opened_total", "Times a circuit breaker opened", ["target"]
)


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(service, method, route, str(status)).inc()
    HTTP_LATENCY.labels(service, method, route).observe(seconds)
    if status >= 500:
        HTTP_ERRORS.labels(service, method, route).inc()


metrics_router = APIRouter(tags=["operations"])


def _registry() -> CollectorRegistry:
    """With several worker processes (PROMETHEUS_MULTIPROC_DIR set), the sum over all of them."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@metrics_router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
