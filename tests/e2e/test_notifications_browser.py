"""Live updates in a real browser (Debian's Chromium, Playwright): agent1 has an incident open;
agent2 assigns it to agent1 through the tickets API. Without a reload, within 2 s, agent1's bell
counts the new notification and the page shows the new assignee with "updated by agent2"; the
bell's panel lists it first. No script error, no Content-Security-Policy violation.

It needs the live stack with the notifications service and the console on :8000 pointed at it
(SD_WEB_NOTIFICATIONS_URL in tests/support/live_web.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import (
    BrowserContext,
    expect,
)

from tests.e2e.browsing import RECORD_VIOLATIONS, sign_in_at_keycloak, watch
from tests.support.live_web import LiveStack
from tests.support.processes import ARTIFACTS
from tests.support.tokens import TokenShop, bearer
from tests.web.test_notifications_live import assign, open_incident

LIVE_S = 2.0  # the promise: the bell and the page follow within this


@pytest.fixture
async def tickets(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=10) as client:
        yield client


async def test_an_assignment_by_someone_else_shows_up_live(
    browser_context: BrowserContext, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent2 = bearer(await tokens.access("agent2"))
    incident = await open_incident(tickets, agent2)
    key = incident["key"]
    page = await browser_context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    problems = watch(page)
    async with page.expect_request(re.compile(r"/notifications/stream$")):
        await sign_in_at_keycloak(page, f"/incidents/{key}", "agent1", back_at_path=False)
    await expect(page.locator("#ticket-title")).to_have_text(incident["title"])
    facts = page.locator('[data-live-region="facts"]')
    await expect(facts).not_to_contain_text("agent1")
    await page.wait_for_timeout(500)  # the console's stream is open at the service
    before = int(await page.locator("#bell-count").get_attribute("data-count") or 0)
    comment_box = page.locator("#f-body")
    await comment_box.fill("Черновик, который не должен пропасть")

    await assign(tickets, agent2, incident, "agent1")

    await page.wait_for_function(
        "n => Number(document.getElementById('bell-count').dataset.count) > n",
        arg=before,
        timeout=LIVE_S * 1000,
    )
    await expect(page.locator("#bell-count")).to_be_visible()
    await expect(facts).to_contain_text("agent1", timeout=LIVE_S * 1000)
    await expect(page.locator("#live-notice")).to_contain_text("agent2")
    await expect(page.locator("#toasts .toast")).to_have_count(1)
    await expect(comment_box).to_have_value("Черновик, который не должен пропасть")
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "screenshots" / "notifications-live.png"))

    await page.locator("#bell-button").click()
    first = page.locator("#bell-panel li.inbox-item").first
    await expect(first).to_contain_text(key)
    await expect(page.locator("#bell-button")).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Escape")
    await expect(page.locator("#bell-panel")).to_be_hidden()

    assert problems == []
    assert await page.evaluate("window.__violations") == []


async def test_a_mention_is_completed_from_the_directory(
    browser_context: BrowserContext, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    """Typing "@agen" lists agents under the comment box; the keyboard or the mouse inserts
    "@username "; Escape closes the list."""
    incident = await open_incident(tickets, bearer(await tokens.access("agent2")))
    page = await browser_context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    problems = watch(page)
    await sign_in_at_keycloak(page, f"/incidents/{incident['key']}", "agent1", back_at_path=False)
    box = page.locator("#f-body")
    await box.click()
    await box.press_sequentially("Посмотри, @agent")
    options = page.locator("#mention-list [role=option]")
    await expect(options.first).to_be_visible()
    await expect(box).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("ArrowDown")
    chosen = await options.nth(1).get_attribute("data-username")
    await page.keyboard.press("Enter")
    await expect(box).to_have_value(f"Посмотри, @{chosen} ")
    await expect(page.locator("#mention-list")).to_be_hidden()

    await box.press_sequentially("и @agent2")
    await page.locator('#mention-list [data-username="agent2"]').click()
    await expect(box).to_have_value(f"Посмотри, @{chosen} и @agent2 ")
    await box.press_sequentially(" @agen")
    await expect(options.first).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.locator("#mention-list")).to_be_hidden()
    await expect(box).to_have_value(f"Посмотри, @{chosen} и @agent2  @agen")

    assert problems == []
    assert await page.evaluate("window.__violations") == []


async def test_the_incident_list_follows_a_new_incident(
    browser_context: BrowserContext, tickets: httpx.AsyncClient, tokens: TokenShop
) -> None:
    """A list of incidents refreshes its results (debounced) when an incident it may show is
    made elsewhere; the query typed in the bar stays as it is."""
    page = await browser_context.new_page()
    problems = watch(page)
    async with page.expect_request(re.compile(r"/notifications/stream$")):
        await sign_in_at_keycloak(page, "/incidents", "agent1", back_at_path=False)
    await expect(page.locator("#incident-table")).to_be_visible()
    await page.wait_for_timeout(500)  # the console's stream is open at the service
    bar = page.locator("#query-input")
    await bar.fill("status = new")
    incident = await open_incident(tickets, bearer(await tokens.access("agent2")))
    await expect(page.locator("#incident-table")).to_contain_text(incident["key"], timeout=5000)
    await expect(bar).to_have_value("status = new")
    assert problems == []
