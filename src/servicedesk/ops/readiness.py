"""Waiting until every service answers /health/ready."""

from __future__ import annotations

import asyncio
import time

import httpx

from servicedesk.ops.catalogue import SERVICES


async def _ready(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(f"{url}/health/ready", timeout=3)).status_code == 200
    except httpx.HTTPError:
        return False


async def wait_all_ready(timeout_s: float) -> dict[str, bool]:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while True:
            states = await asyncio.gather(*(_ready(client, s.url) for s in SERVICES))
            status = {s.name: ok for s, ok in zip(SERVICES, states, strict=True)}
            if all(states) or time.monotonic() > deadline:
                return status
            await asyncio.sleep(0.5)
