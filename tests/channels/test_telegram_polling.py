"""Polling mode, for installations Telegram cannot reach over HTTPS: with
`SD_CHANNELS_TELEGRAM__MODE=polling` the service drops the webhook and asks with getUpdates;
a person's message becomes an incident the same way. The webhook-mode process is put back
afterwards (it registers its webhook again at start)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.channels.telegram_person import TelegramPerson
from tests.support.live_web import LiveStack, channels_environment
from tests.support.processes import RunningService, start_service, stop, wait_ready


async def _swap(stack: LiveStack, environment: dict[str, str]) -> RunningService:
    current = next(s for s in stack.started if s.name == "channels")
    stop(current)
    replacement = start_service("channels", current.port, environment)
    stack.started[stack.started.index(current)] = replacement
    assert (await wait_ready(replacement)).status_code == 200
    return replacement


@pytest.fixture
async def polling(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    await _swap(live_stack, channels_environment() | {"SD_CHANNELS_TELEGRAM__MODE": "polling"})
    try:
        async with httpx.AsyncClient(base_url=live_stack.telegram_fake_url, timeout=10) as fake:
            yield fake
    finally:
        await _swap(live_stack, channels_environment())


async def test_polling_mode_takes_updates_without_a_webhook(
    polling: httpx.AsyncClient, live_stack: LiveStack
) -> None:
    person = TelegramPerson(polling, live_stack.telegram_bot_id, "Polly", "en")
    await person.write("The badge reader at the entrance is dead")
    await person.bot_says(r"INC-\d+ is open", timeout_s=30)
    bots = (await polling.get("/control/bots")).json()
    ours = next(b for b in bots if b["id"] == live_stack.telegram_bot_id)
    assert ours["webhook_url"] in ("", None)
