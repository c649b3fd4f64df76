"""A person writing to the local bot through the fake Telegram server's control API, and
reading what the bot answered in their chat."""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

KEY = re.compile(r"INC-\d{6,}")


@dataclass
class TelegramPerson:
    fake: httpx.AsyncClient
    bot_id: int
    first_name: str
    language: str = "en"
    user_id: int = field(default_factory=lambda: random.randint(10**9, 2 * 10**9))
    seen: int = 0  # how many of the bot's messages were read already

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "first_name": self.first_name, "language_code": self.language}

    async def write(self, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"from": self.user, "text": text}
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        response = await self.fake.post(f"/control/bots/{self.bot_id}/messages", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def press(self, message_id: int, data: str) -> None:
        body = {"from": self.user, "message_id": message_id, "data": data}
        response = await self.fake.post(f"/control/bots/{self.bot_id}/callbacks", json=body)
        assert response.status_code == 200, response.text

    async def chat(self) -> list[dict[str, Any]]:
        response = await self.fake.get(f"/control/bots/{self.bot_id}/chats/{self.user_id}/messages")
        if response.status_code == 404:  # the fake knows the chat once the person has written
            return []
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    async def bot_says(self, pattern: str, timeout_s: float = 15) -> dict[str, Any]:
        """The next message of the bot (after those seen) matching `pattern`."""
        wanted = re.compile(pattern, re.DOTALL)
        deadline = time.monotonic() + timeout_s
        while True:
            from_bot = [m for m in await self.chat() if _from_bot(m)]
            for position, message in enumerate(from_bot[self.seen :], start=self.seen):
                if wanted.search(str(message.get("text") or "")):
                    self.seen = position + 1
                    return message
            if time.monotonic() > deadline:
                texts = [m.get("text") for m in from_bot]
                raise AssertionError(f"the bot never said {pattern!r}; it said {texts}")
            await asyncio.sleep(0.2)


def _from_bot(message: dict[str, Any]) -> bool:
    return message.get("sender") == "bot"
