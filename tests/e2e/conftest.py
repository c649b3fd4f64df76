"""Browser tests: Debian's Chromium driven by Playwright against the console on :8000.

Playwright never downloads a browser here: it starts /usr/bin/chromium (installed by the
bootstrap, scripts/lib/web.sh), headless. Without it the tests are skipped, saying why.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.support.live_web import LiveStack
from tests.support.processes import ARTIFACTS

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ARTIFACTS / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: the bootstrap installs Debian's chromium (./sd test)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        yield browser
        await browser.close()


@pytest.fixture
async def browser_context(
    chromium: Browser, live_stack: LiveStack
) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies) at the console, in Russian like most users."""
    context = await chromium.new_context(
        base_url=live_stack.web_url,
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        viewport={"width": 1280, "height": 800},
    )
    yield context
    await context.close()
