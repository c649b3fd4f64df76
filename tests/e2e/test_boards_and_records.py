"""Boards, clients and orders in a real browser: an agent drags a card on "My work" (it stays
after a transition, and snaps back with the reason when the workflow has none), then searches,
creates and edits a client, and looks at the orders."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.e2e.browsing import sign_in_at_keycloak, watch
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer


def _provoked(status: int, url: str) -> bool:
    """The refusals the tests ask for: a move without a transition (409), one needing a
    resolution (422), a client with a wrong email (422)."""
    return (status in (409, 422) and url.endswith("/moves")) or (
        status == 422 and url.endswith("/clients")
    )


def _watch(page: Page) -> list[str]:
    return watch(page, provoked=_provoked, excused_statuses=frozenset({409, 422}))


async def _sign_in(page: Page, path: str, username: str) -> None:
    await sign_in_at_keycloak(page, path, username, back_at_path=False)


async def _incident_of_agent1(live_stack: LiveStack, tokens: TokenShop, title: str) -> str:
    """A new critical incident assigned to agent1 (first in their "new" column); its key."""
    headers = bearer(await tokens.access("agent1"))
    async with httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=30) as tickets:
        found = await tickets.get(
            "/api/v1/directory/users", params={"q": "agent1"}, headers=headers
        )
        assert found.status_code == 200, found.text
        agent1 = next(u for u in found.json() if u["username"] == "agent1")
        created = await tickets.post(
            "/api/v1/incidents",
            json={
                "title": title,
                "description": "Made by the browser test of boards.",
                "category": "software",
                "impact": "high",
                "urgency": "high",
                "assignee": agent1["id"],
            },
            headers=headers,
        )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "new"
    return str(created.json()["key"])


async def test_drag_cards_on_my_work(
    browser_context: BrowserContext,
    live_stack: LiveStack,
    tokens: TokenShop,
    screenshots: Path,
) -> None:
    title = f"Перетаскивание {uuid.uuid4().hex[:10]}"
    key = await _incident_of_agent1(live_stack, tokens, title)
    page = await browser_context.new_page()
    problems = _watch(page)

    await _sign_in(page, "/boards", "agent1")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Доски")
    await page.get_by_role("link", name="Моя работа").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Моя работа")

    card = page.locator(f'.board-card[data-card="{key}"]')
    new = page.locator('.board-cards[data-column="new"]')
    in_progress = page.locator('.board-cards[data-column="in_progress"]')
    message = page.locator("#board-message")
    await expect(new.locator(f'[data-card="{key}"]')).to_be_visible()
    await expect(card.locator(".card-title")).to_have_text(title)

    # new → in_progress: the "start" transition; the card stays, its status follows.
    async with page.expect_response(lambda r: r.url.endswith("/moves")) as moved:
        await card.drag_to(in_progress)
    assert (await moved.value).status == 200
    await expect(in_progress.locator(f'[data-card="{key}"]')).to_be_visible()
    await expect(card.locator(".status")).to_have_text("В работе")
    await expect(message).to_contain_text(f"Карточка {key} перемещена в «В работе»")
    await expect(new.locator(f'[data-card="{key}"]')).to_have_count(0)

    # in_progress → closed: the workflow has no such transition; the card snaps back.
    async with page.expect_response(lambda r: r.url.endswith("/moves")) as refused:
        await card.drag_to(page.locator('.board-cards[data-column="closed"]'))
    assert (await refused.value).status == 409
    await expect(message).to_contain_text(f"Карточку {key} нельзя переместить туда")
    await expect(message).to_contain_text("в процессе нет перехода из «В работе» в «Закрыт»")
    await expect(in_progress.locator(f'[data-card="{key}"]')).to_be_visible()
    await expect(
        page.locator(f'.board-cards[data-column="closed"] [data-card="{key}"]')
    ).to_have_count(0)
    await expect(card.locator(".status")).to_have_text("В работе")
    # the whole page: a live refresh (someone else's change) may swap the card meanwhile
    await page.screenshot(path=screenshots / "board.png", full_page=True)

    # The keyboard's way: "move to" → Resolved needs a resolution, asked for in a form.
    await card.locator("select").select_option("resolved")
    await card.get_by_role("button", name="Переместить").click()
    resolution = page.get_by_label("Решение")
    await expect(resolution).to_be_focused()
    await resolution.fill("Перезапустили службу.")
    await page.locator("#move-panel").get_by_role("button", name="Переместить").click()
    resolved = page.locator(f'.board-cards[data-column="resolved"] [data-card="{key}"]')
    await expect(resolved).to_be_visible()
    await expect(resolved.locator(".status")).to_have_text("Решён")
    await expect(page.locator("#move-panel")).to_be_empty()

    assert problems == [], problems


async def test_search_create_and_edit_a_client_and_see_orders(
    browser_context: BrowserContext, screenshots: Path
) -> None:
    page = await browser_context.new_page()
    problems = _watch(page)
    await _sign_in(page, "/clients", "agent1")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Клиенты")
    await expect(page.locator("#client-results .badge").first).to_be_visible()
    await page.screenshot(path=screenshots / "clients-list.png", full_page=True)

    name = f"Браузеров{uuid.uuid4().hex[:8]} Пётр"
    surname = name.split()[0]

    # Create: a wrong email is refused next to its field, then the client is made.
    await page.get_by_role("link", name="Новый клиент").click()
    await page.get_by_label("Имя").fill(name)
    await page.get_by_label("Эл. почта").fill("not-an-email")
    await page.get_by_role("button", name="Создать клиента").click()
    email = page.get_by_label("Эл. почта")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await email.fill("petr@example.com")
    await page.get_by_role("button", name="Создать клиента").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.locator(".alert--ok")).to_have_text("Клиент создан.")
    await expect(page.locator(".badge").first).to_have_text("наш")

    # Live search (htmx) finds it.
    await page.get_by_role("link", name="Клиенты").first.click()
    async with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        await page.get_by_label("Поиск клиентов").fill(surname)
    await expect(page.locator("#client-results")).to_contain_text(name)

    # Edit it: saved with If-Match, the page shows the new values.
    await page.locator("#client-results").get_by_role("link", name=name).click()
    await page.get_by_label("Телефон").fill("+79161234567")
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.locator(".alert--ok")).to_have_text("Сохранено.")
    await expect(page.locator(".facts")).to_contain_text("+79161234567")
    await page.screenshot(path=screenshots / "client-page.png", full_page=True)

    # Orders: the list with its marks.
    await page.get_by_role("link", name="Заказы").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Заказы")
    await expect(page.locator("#order-results")).to_be_visible()
    await page.screenshot(path=screenshots / "orders-list.png", full_page=True)

    assert problems == [], problems
