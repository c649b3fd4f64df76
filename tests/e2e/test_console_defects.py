"""Console defects of issue 17 in a real browser: a resized comment box sent with htmx breaks
no Content-Security-Policy rule, and on a board "move to" proposes the next column and a later
successful move clears a red refusal."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import BrowserContext, ConsoleMessage, Page, expect

from tests.e2e.browsing import sign_in_at_keycloak
from tests.e2e.test_boards_and_records import _incident_of_agent1
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop

# Records every CSP violation the page reports (an init script is not itself subject to it).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.sourceFile || "") + ":"
    + event.lineNumber + " " + (event.sample || ""));
});
"""


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


async def test_a_resized_comment_box_breaks_no_csp_rule(
    browser_context: BrowserContext, live_stack: LiveStack, tokens: TokenShop
) -> None:
    key = await _incident_of_agent1(live_stack, tokens, f"Комментарий {uuid.uuid4().hex[:8]}")
    page = await browser_context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    errors = _console_errors(page)
    await sign_in_at_keycloak(page, f"/incidents/{key}", "agent1", back_at_path=False)
    await expect(page.get_by_role("heading", level=1)).to_be_visible()

    box = page.get_by_label("Новый комментарий")
    for text in ("Первый ответ.", "Второй ответ."):
        # What dragging the resize handle does: the browser writes the box's inline size.
        await box.evaluate("box => { box.style.height = '240px'; box.style.width = '90%'; }")
        await box.fill(text)
        async with page.expect_response(lambda r: r.url.endswith("/comments")) as sent:
            await page.get_by_role("button", name="Добавить комментарий").click()
        assert (await sent.value).status == 200
        await expect(page.locator("#comments .comment-body").last).to_have_text(text)
        await page.wait_for_timeout(200)  # htmx settles the swapped attributes after 20 ms

    assert await page.evaluate("window.__violations") == []
    assert errors == [], errors


async def test_move_to_is_the_next_column_and_success_clears_a_refusal(
    browser_context: BrowserContext, live_stack: LiveStack, tokens: TokenShop
) -> None:
    key = await _incident_of_agent1(live_stack, tokens, f"Доска {uuid.uuid4().hex[:8]}")
    page = await browser_context.new_page()
    errors = _console_errors(page)
    await sign_in_at_keycloak(page, "/boards", "agent1", back_at_path=False)
    await page.get_by_role("link", name="Моя работа").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Моя работа")

    card = page.locator(f'.board-card[data-card="{key}"]')
    message = page.locator("#board-message")
    await expect(card.locator("select")).to_have_value("in_progress")  # new → the next one

    # A move the workflow has no transition for: a red refusal.
    async with page.expect_response(lambda r: r.url.endswith("/moves")) as refused:
        await card.drag_to(page.locator('.board-cards[data-column="closed"]'))
    assert (await refused.value).status == 409
    await expect(message).to_have_class("board-message board-message--error")
    await expect(message).to_contain_text("нельзя переместить")

    # Then a good one with the default choice: the red message is gone.
    async with page.expect_response(lambda r: r.url.endswith("/moves")) as moved:
        await card.get_by_role("button", name="Переместить").click()
    assert (await moved.value).status == 200
    moved_card = page.locator(f'.board-cards[data-column="in_progress"] [data-card="{key}"]')
    await expect(moved_card).to_be_visible()
    await expect(message).to_contain_text(f"Карточка {key} перемещена в «В работе»")
    await expect(message).not_to_contain_text("нельзя переместить")
    await expect(message).to_have_class("board-message board-message--ok")
    # The moved card proposes its own next column.
    await expect(moved_card.locator("select")).to_have_value("waiting_for_reporter")

    # A refusal, then a move asking for fields: the refusal goes as the form comes.
    async with page.expect_response(lambda r: r.url.endswith("/moves")) as refused_again:
        await card.drag_to(page.locator('.board-cards[data-column="closed"]'))
    assert (await refused_again.value).status == 409
    await expect(message).to_have_class("board-message board-message--error")
    await card.locator("select").select_option("resolved")
    await card.get_by_role("button", name="Переместить").click()
    resolution = page.get_by_label("Решение")
    await expect(resolution).to_be_focused()
    await expect(message).to_be_empty()
    await expect(message).to_have_class("board-message")
    await resolution.fill("Перезапустили службу.")
    await page.locator("#move-panel").get_by_role("button", name="Переместить").click()
    await expect(
        page.locator(f'.board-cards[data-column="resolved"] [data-card="{key}"]')
    ).to_be_visible()
    await expect(message).to_have_class("board-message board-message--ok")
    assert [e for e in errors if not re.search("status of (409|422)", e)] == [], errors


async def test_a_refused_htmx_request_shows_the_error_page(
    browser_context: BrowserContext, live_stack: LiveStack, tokens: TokenShop
) -> None:
    """A 403 to an htmx request (here the CSRF check, with a spoiled token) is the console's
    error page in the user's language in place of the content, not nothing and not raw text."""
    key = await _incident_of_agent1(live_stack, tokens, f"Отказ {uuid.uuid4().hex[:8]}")
    page = await browser_context.new_page()
    await sign_in_at_keycloak(page, f"/incidents/{key}", "agent1", back_at_path=False)
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await page.evaluate(
        """() => {
          document.body.setAttribute("hx-headers", '{"X-CSRF-Token": "spoiled"}');
          document.querySelectorAll("input[name=csrf_token]").forEach(f => { f.value = "spoiled"; });
        }"""
    )
    await page.get_by_label("Новый комментарий").fill("Не пройдёт.")
    async with page.expect_response(lambda r: r.url.endswith("/comments")) as sent:
        await page.get_by_role("button", name="Добавить комментарий").click()
    assert (await sent.value).status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Нет доступа")
    await expect(page.locator("#main")).to_contain_text("403")
    await expect(page.get_by_role("link", name="К инцидентам")).to_be_visible()
