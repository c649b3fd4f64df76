"""Binding a Telegram account from the profile, in a real browser at a phone's width (390 px):
agent1 asks for a link; the local bot receives `/start <token>` from a Telegram user through the
fake Telegram server's control API; the profile shows the binding by itself (htmx polling), and
agent1 unbinds it again. No script error, no Content-Security-Policy violation, no failed request.

It needs the live stack with the channels service and the fake Telegram server, the console
pointed at that channels service (SD_WEB_CHANNELS_URL): `live_stack.telegram_fake_url` and
`live_stack.telegram_bot_id` (tests/support/live_web.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import (
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from tests.e2e.browsing import RECORD_VIOLATIONS, sign_in_at_keycloak, watch
from tests.support.live_web import LiveStack

TELEGRAM_USER = {"id": 555000111, "first_name": "Test", "language_code": "en"}
PHONE: ViewportSize = {"width": 390, "height": 844}
BINDING_S = 30  # the bot's long polling, the binding, then the profile's next 3 s poll


@pytest.fixture
async def telegram_fake(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    """The fake Telegram server of the live stack, for its control API."""
    async with httpx.AsyncClient(base_url=live_stack.telegram_fake_url, timeout=10) as client:
        yield client


def _bound_row(page: Page) -> Locator:
    """The test's Telegram account in the list of bound identities."""
    return page.locator("#telegram-identities li.identity", has_text=str(TELEGRAM_USER["id"]))


async def _unbind(page: Page) -> None:
    """Unbinds the test's account: "Unbind" opens the question, "Yes, unbind" sends the form."""
    rows = _bound_row(page)
    before = await rows.count()
    await rows.first.locator("summary", has_text="Отвязать").click()
    await rows.first.get_by_role("button", name="Да, отвязать").click()
    await expect(rows).to_have_count(before - 1)
    await expect(page.locator("#telegram-notice")).to_contain_text("Аккаунт отвязан.")


async def _send_start(fake: httpx.AsyncClient, bot_id: int, token: str) -> None:
    """A Telegram user writes `/start <token>` to the local bot (the fake's control API)."""
    body = {"from": TELEGRAM_USER, "text": f"/start {token}"}
    sent = await fake.post(f"/control/bots/{bot_id}/messages", json=body)
    assert sent.is_success, f"{sent.status_code} {sent.text}"


async def test_a_telegram_account_is_bound_from_the_profile_and_unbound(
    browser_context: BrowserContext,
    live_stack: LiveStack,
    telegram_fake: httpx.AsyncClient,
    screenshots: Path,
) -> None:
    page = await browser_context.new_page()
    await page.set_viewport_size(PHONE)
    await page.add_init_script(RECORD_VIOLATIONS)
    problems = watch(page)
    await sign_in_at_keycloak(page, "/profile", "agent1", back_at_path=False)
    await expect(page.get_by_role("heading", level=2, name="Telegram и SMS")).to_be_visible()
    await expect(page.locator("#telegram")).to_contain_text("SMS с этого номера узнаются как ваши.")
    while await _bound_row(page).count():  # left over by a run that failed half-way
        await _unbind(page)

    # The link: clickable into Telegram, the command for the local bot, valid 10 minutes, once.
    await page.get_by_role("button", name="Привязать Telegram").click()
    command = page.locator("#telegram-command")
    await expect(command).to_be_visible()
    token = await command.get_attribute("data-token")
    assert token
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token), token
    await expect(command).to_have_text(f"/start {token}")
    url = await page.locator("a.telegram-url").get_attribute("href")
    assert url
    assert re.fullmatch(rf"https://t\.me/[A-Za-z0-9_]+\?start={re.escape(token)}", url), url
    link_area = page.locator("#telegram-link")
    await expect(link_area).to_contain_text(
        re.compile(r"Действует до \d\d\.\d\d\.\d{4}, \d\d:\d\d")
    )
    await expect(link_area).to_contain_text("Срабатывает один раз, в течение 10 минут.")
    await expect(page.locator("#telegram-identities")).to_have_attribute("hx-trigger", "every 3s")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
    await page.screenshot(path=screenshots / "telegram-01-link.png", full_page=True)

    # The person sends the command; the profile shows the binding without a reload.
    await _send_start(telegram_fake, live_stack.telegram_bot_id, token)
    row = _bound_row(page)
    await expect(row).to_be_visible(timeout=BINDING_S * 1000)
    await expect(page.locator("#telegram-notice")).to_contain_text("привязан к вам")
    await expect(page.locator("#telegram-identities")).not_to_have_attribute(
        "hx-trigger", "every 3s"
    )
    await expect(command).to_have_count(0)  # the used link gave way to the button
    await expect(page.get_by_role("button", name="Привязать Telegram")).to_be_visible()
    await page.screenshot(path=screenshots / "telegram-02-bound.png", full_page=True)

    # Unbinding asks first, then the account is gone, also after a reload.
    await _unbind(page)
    await expect(row).to_have_count(0)
    await page.reload()
    await expect(page.get_by_role("heading", level=2, name="Telegram и SMS")).to_be_visible()
    await expect(_bound_row(page)).to_have_count(0)
    await page.screenshot(path=screenshots / "telegram-03-unbound.png", full_page=True)

    assert await page.evaluate("window.__violations") == []
    assert problems == [], problems
