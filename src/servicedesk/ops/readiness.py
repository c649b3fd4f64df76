"""Waiting until every service answers /health/ready."""

from __future__ import annotations

import asyncio
import time

import httpx

from servicedesk.ops.catalogue import SERVICES
from servicedesk.ops.processes import PROMETHEUS_PORT


async def _ready(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url, timeout=3)).status_code == 200
    except httpx.HTTPError:
        return False


def _readiness_urls() -> dict[str, str]:
    urls = {s.name: f"{s.url}/health/ready" for s in SERVICES}
    urls["prometheus"] = f"http://localhost:{PROMETHEUS_PORT}/-/ready"
    return urls


async def wait_all_ready(timeout_s: float) -> dict[str, bool]:
    deadline = time.monotonic() + timeout_s
    urls = _readiness_urls()
    async with httpx.AsyncClient() as client:
        while True:
            states = await asyncio.gather(*(_ready(client, url) for url in urls.values()))
            status = dict(zip(urls, states, strict=True))
            if all(states) or time.monotonic() > deadline:
                return status
            await asyncio.sleep(0.5)
