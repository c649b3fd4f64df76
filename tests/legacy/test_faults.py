"""The fault knobs: latency with jitter, errors, hangs, outage; shared through Redis by every
instance; set only with the admin key; never acting on health, metrics or the admin API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from servicedesk.legacy.app import create_app
from servicedesk.legacy.settings import LegacySettings
from tests.legacy.conftest import ADMIN, API, BASE, FAULTS
from tests.support.apps import serve

CUSTOMERS = f"{BASE}/customers?count=1"


@pytest.fixture(autouse=True)
async def knobs_reset(legacy_api: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    assert (await legacy_api.delete(FAULTS, headers=ADMIN)).status_code == 200


async def _set(api: httpx.AsyncClient, **knobs: Any) -> None:
    response = await api.put(FAULTS, json=knobs, headers=ADMIN)
    assert response.status_code == 200, response.text


async def _timed(api: httpx.AsyncClient, path: str, **kwargs: Any) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await api.get(path, **kwargs)
    return time.perf_counter() - started, response


async def test_latency_is_added_to_api_requests_only(legacy_api: httpx.AsyncClient) -> None:
    await _set(legacy_api, latency_ms=200)
    elapsed, response = await _timed(legacy_api, CUSTOMERS, headers=API)
    assert response.status_code == 200
    assert 0.2 <= elapsed < 0.6
    for path, headers in (("/health/ready", {}), ("/metrics", {}), (FAULTS, ADMIN)):
        elapsed, response = await _timed(legacy_api, path, headers=headers)
        assert response.status_code == 200
        assert elapsed < 0.15, f"{path} must not be slowed"


async def test_jitter_spreads_the_latency(legacy_api: httpx.AsyncClient) -> None:
    await _set(legacy_api, latency_ms=100, jitter_ms=80, seed=3)
    times = [(await _timed(legacy_api, CUSTOMERS, headers=API))[0] for _ in range(12)]
    assert min(times) >= 0.02
    assert max(times) < 0.18 + 0.3
    assert max(times) - min(times) > 0.04, "the delays must vary"


async def test_error_rate_one_fails_every_request(legacy_api: httpx.AsyncClient) -> None:
    await _set(legacy_api, error_rate=1.0)
    statuses = set()
    for _ in range(30):
        response = await legacy_api.get(CUSTOMERS, headers=API)
        assert set(response.json()) == {"ErrorCode", "ErrorText"}
        assert response.json()["ErrorCode"] == response.status_code
        statuses.add(response.status_code)
    assert statuses <= {500, 502, 503}
    assert len(statuses) >= 2
    await _set(legacy_api, error_rate=1.0, error_statuses=[504])
    assert (await legacy_api.get(CUSTOMERS, headers=API)).status_code == 504


async def test_error_rate_is_a_fraction_reproducible_by_seed(
    legacy_api: httpx.AsyncClient,
) -> None:
    runs = []
    for _ in range(2):
        await _set(legacy_api, error_rate=0.3, seed=7)
        runs.append(
            [(await legacy_api.get(CUSTOMERS, headers=API)).status_code for _ in range(200)]
        )
    failed = sum(status >= 500 for status in runs[0])
    assert 35 <= failed <= 85, f"{failed} of 200 failed at a rate of 0.3"
    assert set(runs[0]) <= {200, 500, 502, 503}
    assert runs[0] == runs[1], "the same seed draws the same faults"


async def test_a_hang_holds_the_answer(legacy_api: httpx.AsyncClient) -> None:
    await _set(legacy_api, hang_rate=1.0, hang_ms=400)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(legacy_api.get(CUSTOMERS, headers=API), 0.2)
    elapsed, response = await _timed(legacy_api, CUSTOMERS, headers=API)
    assert response.status_code == 200, "after the hang it answers"
    assert elapsed >= 0.4


async def test_an_outage_refuses_at_once(legacy_api: httpx.AsyncClient) -> None:
    await _set(legacy_api, outage=True, latency_ms=5_000)
    for path in (CUSTOMERS, f"{BASE}/orders/1", f"{BASE}/customers/1"):
        elapsed, response = await _timed(legacy_api, path, headers=API)
        assert response.status_code == 503
        assert response.json()["ErrorCode"] == 503
        assert elapsed < 0.15
    assert (await legacy_api.get("/health/ready")).status_code == 200
    assert (await legacy_api.get("/metrics")).status_code == 200
    knobs = (await legacy_api.get(FAULTS, headers=ADMIN)).json()
    assert knobs["outage"] is True
    await legacy_api.delete(FAULTS, headers=ADMIN)
    assert (await legacy_api.get(CUSTOMERS, headers=API)).status_code == 200


async def _status_within(api: httpx.AsyncClient, expected: int, seconds: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if (await api.get(CUSTOMERS, headers=API)).status_code == expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {expected} within {seconds} s")


async def test_knobs_are_shared_by_every_instance(
    legacy_api: httpx.AsyncClient, legacy_settings: LegacySettings
) -> None:
    async with serve(create_app(legacy_settings)) as other:
        assert (await other.get(CUSTOMERS, headers=API)).status_code == 200
        await _set(legacy_api, outage=True)
        assert await _status_within(other, 503, 1.5) <= 1.2
        assert (await other.get(FAULTS, headers=ADMIN)).json()["outage"] is True
        assert (await other.delete(FAULTS, headers=ADMIN)).status_code == 200
        assert await _status_within(legacy_api, 200, 1.5) <= 1.2


@pytest.mark.parametrize("headers", [{}, {"X-Admin-Key": "wrong"}, API])
async def test_the_admin_key_is_required(
    legacy_api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        body = {"outage": True} if method == "PUT" else None
        response = await legacy_api.request(method, FAULTS, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["ErrorCode"] == 401
    assert (await legacy_api.get(FAULTS, headers=ADMIN)).json()["outage"] is False


@pytest.mark.parametrize(
    "knobs", [{"error_rate": 1.5}, {"latency_ms": -1}, {"error_statuses": [404]}, {"fast": 1}]
)
async def test_nonsense_knobs_are_refused(
    legacy_api: httpx.AsyncClient, knobs: dict[str, Any]
) -> None:
    response = await legacy_api.put(FAULTS, json=knobs, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["ErrorCode"] == 400


async def test_initial_knobs_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, legacy_settings: LegacySettings
) -> None:
    monkeypatch.setenv("SD_LEGACY_FAULTS__ERROR_RATE", "1")
    monkeypatch.setenv("SD_LEGACY_FAULTS__ERROR_STATUSES", "[502]")
    monkeypatch.setenv("SD_LEGACY_FAULTS__HANG_MS", "1500")
    settings = LegacySettings(faults_redis_key=legacy_settings.faults_redis_key + ":env")
    assert (settings.faults.error_rate, settings.faults.hang_ms) == (1.0, 1500)
    async with serve(create_app(settings)) as api:
        assert (await api.get(CUSTOMERS, headers=API)).status_code == 502
        await _set(api, latency_ms=0)
        assert (await api.get(CUSTOMERS, headers=API)).status_code == 200
        reset = (await api.delete(FAULTS, headers=ADMIN)).json()
        assert reset["error_rate"] == 1.0
        assert reset["error_statuses"] == [502]
        assert reset["hang_ms"] == 1500
        assert (await api.get(CUSTOMERS, headers=API)).status_code == 502
