"""The web console in-process (its lifespan included), called as a browser would call it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from servicedesk.web.app import create_app
from servicedesk.web.settings import WebSettings
from tests.support.infra import REDIS_URL
from tests.support.live_web import LiveStack


@pytest.fixture(scope="session")
async def web_app(live_stack: LiveStack) -> AsyncIterator[FastAPI]:
    """The app in-process, calling the live stack's tickets, migration, channels and
    notifications."""
    settings = WebSettings(
        tickets_url=live_stack.tickets_url,
        migration_url=live_stack.migration_url,
        channels_url=live_stack.channels_url,
        notifications_url=live_stack.notifications_url,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(web_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own for each test (its own cookies), at the console's public address."""
    transport = httpx.ASGITransport(app=web_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()
