"""The Russian console shows the services' messages in Russian (ADR 0021): a forbidden transition,
a record that does not exist, and a history entry, each with no English words of the service.

A reporter's page offers no "start" (it needs an agent); a form sent for it anyway (an old page,
a crafted request) is refused by the workflow, and the page says why. Screenshots of each."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.browsing import sign_in_at_keycloak
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer

# Words of the services' English messages that must not reach a Russian page.
ENGLISH = re.compile(r"requires one of the roles|does not exist|registered via|not found", re.I)


@pytest.fixture
async def reported(live_stack: LiveStack, tokens: TokenShop) -> str:
    """An incident reporter1 opened for themselves through the API; its key."""
    async with httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=10) as tickets:
        created = await tickets.post(
            "/api/v1/incidents",
            json={
                "title": f"Не открывается почта {uuid.uuid4().hex[:6]}",
                "description": "Почтовый клиент зависает при запуске.",
                "category": "software",
                "impact": "low",
                "urgency": "medium",
            },
            headers=bearer(await tokens.access("reporter1")),
        )
    assert created.status_code == 201, created.text
    key: str = created.json()["key"]
    return key


@pytest.fixture
async def agents_context(chromium: Browser, live_stack: LiveStack) -> AsyncIterator[BrowserContext]:
    """An agent's browser, in Russian too."""
    context = await chromium.new_context(
        base_url=live_stack.web_url, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    yield context
    await context.close()


async def _post_form(page: Page, action: str, fields: dict[str, str]) -> None:
    """Sends a form the page does not offer, as an old page or a crafted request would."""
    csrf = await page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))")
    await page.evaluate(
        """([action, fields]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [action, {**fields, "csrf_token": csrf["X-CSRF-Token"]}],
    )


async def test_the_russian_console_shows_the_services_messages_in_russian(
    browser_context: BrowserContext,
    agents_context: BrowserContext,
    reported: str,
    screenshots: Path,
) -> None:
    # A forbidden transition: reporter1 may not start work on their incident.
    page = await browser_context.new_page()
    await sign_in_at_keycloak(page, f"/incidents/{reported}", "reporter1")
    await expect(page.get_by_role("button", name="Взять в работу")).to_have_count(0)
    async with page.expect_navigation():
        await _post_form(page, f"/incidents/{reported}/transitions", {"transition": "start"})
    refusal = page.locator("#transition-slot")
    await expect(refusal).to_contain_text("нужна одна из ролей")
    await expect(refusal).not_to_contain_text(ENGLISH)
    await page.screenshot(path=screenshots / "ru-transition-forbidden.png", full_page=True)

    # A record that does not exist: the service's 404 detail, in Russian.
    missing = await page.goto("/incidents/INC-999999")
    assert missing is not None
    assert missing.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Не найдено")
    await expect(page.locator("main")).to_contain_text("инцидента INC-999999 нет")
    await expect(page.locator("main")).not_to_contain_text(ENGLISH)
    await page.screenshot(path=screenshots / "ru-not-found.png", full_page=True)

    # A history entry: the registration's note, kept as a message, read in Russian.
    agent = await agents_context.new_page()
    await sign_in_at_keycloak(agent, f"/incidents/{reported}", "agent1")
    history = agent.locator("section[aria-labelledby=history-title]")
    await expect(history).to_contain_text("зарегистрирован через канал web")
    await expect(history).to_contain_text("статус")
    await expect(history).not_to_contain_text(ENGLISH)
    await agent.screenshot(path=screenshots / "ru-history.png", full_page=True)
