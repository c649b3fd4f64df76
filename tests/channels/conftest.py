"""Clients the channels' end-to-end tests share: the fakes' control APIs and agent1 on tickets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer


@pytest.fixture
async def telegram_fake(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.telegram_fake_url, timeout=10) as client:
        yield client


@pytest.fixture
async def sms_fake(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.sms_fake_url, timeout=10) as client:
        yield client


@pytest.fixture
async def agent_api(live_stack: LiveStack, tokens: TokenShop) -> AsyncIterator[httpx.AsyncClient]:
    headers = bearer(await tokens.access("agent1"))
    async with httpx.AsyncClient(
        base_url=live_stack.tickets_url, headers=headers, timeout=10
    ) as client:
        yield client
