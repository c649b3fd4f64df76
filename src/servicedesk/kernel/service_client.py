"""One typed client for calls to another service: auth, retries, breaker, metrics, request id.

    clients = ServiceClient("clients", settings.clients_url, auth=ClientCredentials(...))
    client = await clients.get_json_or_none(f"/api/v1/clients/{id}", ClientOut)

- Auth: any `httpx.Auth`, usually `ClientCredentials` (this service's own token, cached and
  refreshed) or, per call, `UserToken` (the caller's token, so the target checks their roles).
- Retries: idempotent calls only (GET, HEAD, PUT, DELETE, OPTIONS, or a POST carrying an
  Idempotency-Key), on connect errors, timeouts, 502, 503 and 504, with exponential backoff and
  full jitter, all tries within one deadline.
- Breaker: one per target; while it is open calls fail at once with `TargetUnavailable`.
- Metrics: `service_calls_total{target,method,outcome}`, `service_call_duration_seconds`,
  `service_call_retries_total`, `circuit_breaker_state`.
- The current request id goes along in X-Request-ID.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from servicedesk.kernel.breaker import Breaker, MemoryBreaker
from servicedesk.kernel.calls import service_client
from servicedesk.kernel.metrics import SERVICE_CALL_LATENCY, SERVICE_CALL_RETRIES, SERVICE_CALLS

T = TypeVar("T")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
IDEMPOTENCY_KEY = "Idempotency-Key"
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_jitter = random.Random()  # noqa: S311 - spreading retries, not cryptography


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3  # tries in all, the first included
    base_delay_s: float = 0.05
    max_delay_s: float = 1.0
    deadline_s: float = 10.0  # every try of one call, and the waits between them

    def delay_s(self, retry: int) -> float:
        """Full jitter: anything up to base·2^retry, capped."""
        return _jitter.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**retry))


DEFAULT_RETRY = RetryPolicy()
NO_RETRIES = RetryPolicy(attempts=1)


class CallFailed(Exception):
    """A call to another service did not give the answer wanted."""

    def __init__(self, target: str, method: str, path: str, reason: str) -> None:
        super().__init__(f"{target}: {method} {path}: {reason}")
        self.target, self.method, self.path, self.reason = target, method, path, reason


class TargetUnavailable(CallFailed):
    """No usable answer: unreachable, too slow, breaker open, or still 502/503/504 at the end."""

    def __init__(
        self, target: str, method: str, path: str, reason: str, status: int | None = None
    ) -> None:
        super().__init__(target, method, path, reason)
        self.status = status


class UnexpectedAnswer(CallFailed):
    """The target answered, but not with success (a 4xx, a 500, or a body of the wrong shape)."""

    def __init__(self, target: str, method: str, path: str, response: httpx.Response) -> None:
        super().__init__(target, method, path, f"HTTP {response.status_code}")
        self.status = response.status_code
        self.response = response


_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


def _adapter(model: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(model)
    return adapter


def _is_retryable(method: str, headers: httpx.Headers) -> bool:
    return method in IDEMPOTENT_METHODS or (method == "POST" and IDEMPOTENCY_KEY in headers)


class ServiceClient:
    """Calls to one target service; share one per target for the life of the app."""

    def __init__(
        self,
        target: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        timeout_s: float = 5.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        breaker: Breaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.target = target
        self.retry = retry
        self.breaker: Breaker = breaker or MemoryBreaker(target)
        self.timeout_s = timeout_s
        self.http = service_client(base_url, auth=auth, timeout_s=timeout_s, transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        deadline_s: float | None = None,
        retry: RetryPolicy | None = None,
        **send: Any,
    ) -> httpx.Response:
        """Any call, its answer whatever the status; raises `TargetUnavailable` when no answer
        came (or the breaker is open). Other keywords (`files`, `data`, `content`) go to httpx."""
        method = method.upper()
        request = self.http.build_request(
            method, path, params=params, json=json, headers=headers, **send
        )
        policy = retry or self.retry
        attempts = policy.attempts if _is_retryable(method, request.headers) else 1
        deadline = time.monotonic() + (deadline_s or policy.deadline_s)
        reason, status, tried = "deadline passed", None, False
        for attempt in range(attempts):
            if attempt:
                pause = policy.delay_s(attempt - 1)
                if time.monotonic() + pause >= deadline:
                    break
                SERVICE_CALL_RETRIES.labels(self.target, method).inc()
                await asyncio.sleep(pause)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not await self.breaker.allow():
                self._count(method, "breaker-open")
                raise TargetUnavailable(self.target, method, path, "circuit breaker open")
            response, reason = await self._try(request, auth, min(self.timeout_s, remaining))
            tried = True
            if response is None:
                continue
            status = response.status_code
            if status not in RETRY_STATUSES or attempt == attempts - 1:
                return response
            reason = f"HTTP {status}"
            await response.aclose()
        if not tried:
            self._count(method, "deadline")
        raise TargetUnavailable(self.target, method, path, reason, status)

    async def _try(
        self, request: httpx.Request, auth: httpx.Auth | None, timeout_s: float
    ) -> tuple[httpx.Response | None, str]:
        method = request.method
        request.extensions["timeout"] = httpx.Timeout(timeout_s).as_dict()
        started = time.perf_counter()
        try:
            response = await self.http.send(request, auth=auth or httpx.USE_CLIENT_DEFAULT)
        except _TRANSIENT as exc:
            SERVICE_CALL_LATENCY.labels(self.target, method).observe(time.perf_counter() - started)
            timed_out = isinstance(exc, httpx.TimeoutException)
            self._count(method, "timeout" if timed_out else "error")
            await self.breaker.record_failure()
            return None, type(exc).__name__
        except httpx.HTTPError as exc:  # no use trying again: a bad URL, an undecodable body…
            self._count(method, "error")
            path = request.url.path
            raise TargetUnavailable(self.target, method, path, type(exc).__name__) from exc
        SERVICE_CALL_LATENCY.labels(self.target, method).observe(time.perf_counter() - started)
        self._count(method, f"{response.status_code // 100}xx")
        if response.status_code >= 500:
            await self.breaker.record_failure()
        else:
            await self.breaker.record_success()
        return response, f"HTTP {response.status_code}"

    def _count(self, method: str, outcome: str) -> None:
        SERVICE_CALLS.labels(self.target, method, outcome).inc()

    async def call_json(
        self,
        method: str,
        path: str,
        model: type[T],
        *,
        body: BaseModel | Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        deadline_s: float | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """The answer's JSON as `model` (a pydantic model, `list[X]`…); non-2xx raises
        `UnexpectedAnswer`, a body that does not fit the model too."""
        response = await self._call(
            method, path, body, params, headers, auth, deadline_s, idempotency_key
        )
        if not response.is_success:
            raise UnexpectedAnswer(self.target, method.upper(), path, response)
        return self._parse(method, path, response, model)

    async def get_json(
        self,
        path: str,
        model: type[T],
        *,
        params: Any = None,
        auth: httpx.Auth | None = None,
        deadline_s: float | None = None,
    ) -> T:
        return await self.call_json(
            "GET", path, model, params=params, auth=auth, deadline_s=deadline_s
        )

    async def get_json_or_none(
        self,
        path: str,
        model: type[T],
        *,
        params: Any = None,
        auth: httpx.Auth | None = None,
        deadline_s: float | None = None,
    ) -> T | None:
        """As `get_json`, but None when the target answers 404."""
        response = await self._call("GET", path, None, params, None, auth, deadline_s, None)
        if response.status_code == 404:
            return None
        if not response.is_success:
            raise UnexpectedAnswer(self.target, "GET", path, response)
        return self._parse("GET", path, response, model)

    async def post_json(
        self,
        path: str,
        body: BaseModel | Any,
        model: type[T],
        *,
        auth: httpx.Auth | None = None,
        deadline_s: float | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """A POST; tried again on failure only with an `idempotency_key` (sent as the header)."""
        return await self.call_json(
            "POST",
            path,
            model,
            body=body,
            auth=auth,
            deadline_s=deadline_s,
            idempotency_key=idempotency_key,
        )

    async def _call(
        self,
        method: str,
        path: str,
        body: BaseModel | Any,
        params: Any,
        headers: dict[str, str] | None,
        auth: httpx.Auth | None,
        deadline_s: float | None,
        idempotency_key: str | None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if idempotency_key is not None:
            sent[IDEMPOTENCY_KEY] = idempotency_key
        if isinstance(body, BaseModel):
            sent.setdefault("Content-Type", "application/json")
            content: dict[str, Any] = {"content": body.model_dump_json()}
        else:
            content = {"json": body} if body is not None else {}
        return await self.request(
            method, path, params=params, headers=sent, auth=auth, deadline_s=deadline_s, **content
        )

    def _parse(self, method: str, path: str, response: httpx.Response, model: type[T]) -> T:
        try:
            parsed: T = _adapter(model).validate_json(response.content)
        except ValueError:
            raise UnexpectedAnswer(self.target, method.upper(), path, response) from None
        return parsed
