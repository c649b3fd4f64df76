"""An incident's day in a real browser: agent1 signs in on Keycloak's page, finds incidents with
the query bar (by keyboard), registers one for a client picked by typeahead, comments, starts
and resolves it; supervisor1 closes its problem, and the incident shows closed. Screenshots of
each page, and of the incident page in Russian and English."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.e2e.browsing import WEB, sign_in_at_keycloak, watch
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer


@pytest.fixture
async def client_with_order(live_stack: LiveStack, tokens: TokenShop) -> dict[str, Any]:
    """A client of ours with one order, made through the migration proxy as agent1."""
    name = f"ООО Ромашка {uuid.uuid4().hex[:6]}"
    headers = bearer(await tokens.access("agent1"))
    async with httpx.AsyncClient(base_url=live_stack.migration_url, timeout=10) as migration:
        client = await migration.post(
            "/api/v1/clients", json={"display_name": name, "kind": "company"}, headers=headers
        )
        assert client.status_code == 201, client.text
        order = await migration.post(
            "/api/v1/orders",
            json={
                "client_id": client.json()["id"],
                "currency": "RUB",
                "items": [
                    {"sku": "PRN-7", "title": "Принтер HP", "quantity": 1, "unit_price": "15000"}
                ],
            },
            headers=headers,
        )
        assert order.status_code == 201, order.text
    return {"name": name, "id": client.json()["id"], "order": order.json()["number"]}


@pytest.fixture
async def second_context(chromium: Browser, live_stack: LiveStack) -> AsyncIterator[BrowserContext]:
    """Another person's browser (its own cookies)."""
    context = await chromium.new_context(
        base_url=live_stack.web_url,
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        viewport={"width": 1280, "height": 900},
    )
    yield context
    await context.close()


async def test_an_incident_from_registration_to_its_problem_closed(
    browser_context: BrowserContext,
    second_context: BrowserContext,
    client_with_order: dict[str, Any],
    screenshots: Path,
) -> None:
    problems: list[str] = []
    page = await browser_context.new_page()
    watch(page, problems)

    # agent1 signs in on Keycloak's own page and lands on the incidents.
    await sign_in_at_keycloak(page, "/incidents", "agent1")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Инциденты")
    await expect(page.locator("#saved-filters .filter-list, #saved-filters p")).to_be_visible()

    # The query bar by keyboard: completion of a field, then of a value, then run.
    bar = page.get_by_role("combobox", name="Запрос")
    await bar.click()
    await bar.press_sequentially("stat")
    await expect(page.locator("#query-suggestions [role=option]").first).to_be_visible()
    await expect(page.locator(".htmx-request")).to_have_count(0)  # no request under way
    await bar.press("ArrowDown")
    await bar.press("Enter")
    await expect(bar).to_have_value("status ")
    await bar.press_sequentially("= ")
    option = page.locator('#query-suggestions [role=option][data-value="status = new"]')
    await expect(option).to_be_visible()
    await expect(page.locator(".htmx-request")).to_have_count(0)  # no request under way
    while await option.get_attribute("aria-selected") != "true":
        await bar.press("ArrowDown")
    await expect(bar).to_have_attribute("aria-activedescendant", await option.get_attribute("id"))
    await page.screenshot(path=screenshots / "incidents-list-suggestions.png")
    await bar.press("Enter")
    await expect(bar).to_have_value("status = new")
    await bar.press("Escape")
    async with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        await bar.press("Enter")
    await expect(page).to_have_url(re.compile(r"/incidents\?q=status(\+|%20)%3D(\+|%20)new$"))
    await expect(page.locator("#incident-table tbody tr").first).to_be_visible()
    await expect(page.locator("#incident-table .status").first).to_have_text("Новый")
    await page.screenshot(path=screenshots / "incidents-list.png", full_page=True)

    # A new incident for a client found by typeahead, with its order and a file.
    await page.get_by_role("link", name="Новый инцидент").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Новый инцидент")
    title = f"Не печатает принтер {uuid.uuid4().hex[:6]}"
    await page.get_by_label("Тема").fill(title)
    await page.get_by_label("Описание").fill("Принтер в бухгалтерии печатает пустые листы.")
    await page.get_by_label("Категория").select_option("hardware")
    await page.get_by_label("Влияние").select_option("high")
    await expect(page.locator("#priority-preview")).to_have_text("Высокий")
    await page.get_by_label("Срочность").select_option("high")
    await expect(page.locator("#priority-preview")).to_have_text("Критический")
    await page.get_by_label("Найти клиента").press_sequentially(client_with_order["name"][-6:])
    chosen = page.get_by_role("radio", name=re.compile(re.escape(client_with_order["name"])))
    await expect(chosen).to_be_visible()
    await chosen.check()
    order = page.get_by_role("radio", name=re.compile(re.escape(client_with_order["order"])))
    await expect(order).to_be_visible()
    await order.check()
    await page.get_by_label("Вложения").set_input_files(
        files=[{"name": "printer.txt", "mimeType": "text/plain", "buffer": b"blank pages\n"}]
    )
    await page.screenshot(path=screenshots / "incident-new.png", full_page=True)
    await page.get_by_role("button", name="Зарегистрировать").click()
    await expect(page).to_have_url(re.compile(rf"^{WEB}/incidents/INC-\d+$"))
    key = re.search(r"INC-\d+", page.url).group(0)  # type: ignore[union-attr]
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator(".ticket-side")).to_contain_text(client_with_order["name"])
    await expect(page.locator(".ticket-side")).to_contain_text(client_with_order["order"])
    await expect(page.get_by_role("link", name="printer.txt")).to_be_visible()

    # A comment (htmx swaps the comments in), then start and resolve with a resolution.
    await page.get_by_label("Новый комментарий").fill("Меняем картридж, ждите.")
    await page.get_by_role("button", name="Добавить комментарий").click()
    await expect(page.locator(".comments .comment-body")).to_have_text("Меняем картридж, ждите.")
    await page.get_by_role("button", name="Взять в работу").click()
    await expect(page.locator(".ticket-badges .status")).to_have_text("В работе")
    await page.get_by_role("button", name="Решить…").click()
    resolution = page.get_by_label("Решение")
    await expect(resolution).to_be_focused()
    await resolution.fill("Заменили картридж.")
    await page.locator("#transition-form").get_by_role("button", name="Решить").click()
    await expect(page.locator(".ticket-badges .status")).to_have_text("Решён")
    await expect(page.locator(".ticket-main")).to_contain_text("Заменили картридж.")
    await page.screenshot(path=screenshots / "incident-page.png", full_page=True)
    await page.screenshot(path=screenshots / "incident-page-ru.png", full_page=True)
    await page.get_by_role("link", name="English").click()
    await expect(page.locator(".ticket-badges .status")).to_have_text("Resolved")
    await expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    await page.screenshot(path=screenshots / "incident-page-en.png", full_page=True)
    await page.get_by_role("link", name="Русский").click()
    problem_link = page.locator(".ticket-side a[href^='/problems/PRB-']")
    problem_key = (await problem_link.inner_text()).strip()

    # supervisor1, in a browser of their own, closes the problem with a resolution.
    boss = await second_context.new_page()
    watch(boss, problems)
    await sign_in_at_keycloak(boss, "/problems", "supervisor1")
    await expect(boss.get_by_role("heading", level=1)).to_have_text("Проблемы")
    await expect(boss.get_by_role("link", name=problem_key)).to_be_visible()
    await boss.screenshot(path=screenshots / "problems-list.png", full_page=True)
    await boss.get_by_role("link", name=problem_key).click()
    await expect(boss.locator("#linked-incidents")).to_contain_text(key)
    await boss.get_by_role("button", name="Закрыть…").click()
    await boss.get_by_label("Решение").fill("Партия картриджей заменена поставщиком.")
    await boss.locator("#transition-form").get_by_role("button", name="Закрыть").click()
    await expect(boss.locator(".ticket-badges .status")).to_have_text("Закрыта")
    row = boss.locator("#linked-incidents tr", has_text=key)
    await expect(row.locator(".status")).to_have_text("Закрыт")
    await boss.screenshot(path=screenshots / "problem-page.png", full_page=True)
    await boss.get_by_role("link", name=key).click()
    await expect(boss.locator(".ticket-badges .status")).to_have_text("Закрыт")

    # agent1 sees it closed too.
    await page.reload()
    await expect(page.locator(".ticket-badges .status")).to_have_text("Закрыт")
    assert problems == [], problems
