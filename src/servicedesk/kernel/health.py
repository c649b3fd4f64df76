"""Liveness and readiness: ready means every dependency this service needs answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from servicedesk.kernel.state import kernel_state

Probe = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class ReadinessCheck:
    name: str
    probe: Probe
    critical: bool = True


async def _run(check: ReadinessCheck, timeout_s: float) -> dict[str, object]:
    try:
        detail = await asyncio.wait_for(check.probe(), timeout_s)
    except Exception as exc:  # noqa: BLE001 - any failure of a probe means "not ready"
        return {"ok": False, "critical": check.critical, "error": f"{type(exc).__name__}: {exc}"}
    result: dict[str, object] = {"ok": True, "critical": check.critical}
    if isinstance(detail, dict):
        result["detail"] = detail
    return result


health_router = APIRouter(prefix="/health", tags=["operations"])


@health_router.get("/live", operation_id="health-live")
async def live() -> dict[str, str]:
    return {"status": "live"}


@health_router.get("/ready", operation_id="health-ready")
async def ready(request: Request) -> JSONResponse:
    checks = kernel_state(request).readiness_checks
    results = await asyncio.gather(*(_run(c, 2.0) for c in checks))
    report = {c.name: r for c, r in zip(checks, results, strict=True)}
    is_ready = all(r["ok"] for r in results if r["critical"])
    body = {"status": "ready" if is_ready else "unready", "checks": report}
    return JSONResponse(body, status_code=200 if is_ready else 503)
