"""Fixtures of the seeding tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from servicedesk.ops.seeding.loader import connected
from tests.support.infra import admin_url


@pytest.fixture
async def db() -> AsyncIterator[asyncpg.Connection]:
    """An admin connection to the tests' database, to look at what was seeded."""
    async with connected(admin_url()) as connection:
        yield connection
