"""A phone sending SMS to the desk through the fake gateways' control API, and reading what
the desk sent back."""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


def random_phone() -> str:
    return f"+7999{random.randint(0, 9_999_999):07d}"


@dataclass
class SmsPhone:
    fake: httpx.AsyncClient
    gateway: str  # smsru | twilio
    phone: str = field(default_factory=random_phone)
    seen: int = 0

    async def send(self, text: str) -> dict[str, Any]:
        response = await self.fake.post(
            f"/control/{self.gateway}/inbound", json={"from": self.phone, "text": text}
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def messages(self) -> list[dict[str, Any]]:
        response = await self.fake.get(f"/control/phones/{self.phone}/messages")
        if response.status_code == 404:
            return []
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    async def receives(self, pattern: str, timeout_s: float = 15) -> dict[str, Any]:
        """The next SMS to the phone (after those seen) matching `pattern`."""
        wanted = re.compile(pattern, re.DOTALL)
        deadline = time.monotonic() + timeout_s
        while True:
            incoming = [m for m in await self.messages() if m["direction"] == "to_phone"]
            for position, message in enumerate(incoming[self.seen :], start=self.seen):
                if wanted.search(message["text"]):
                    self.seen = position + 1
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no SMS matching {pattern!r}; got {[m['text'] for m in incoming]}"
                )
            await asyncio.sleep(0.2)
