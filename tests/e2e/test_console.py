"""A person's way through the console in a real browser: sign in on Keycloak's own page, the
incidents, the profile, the language switch, sign out."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import BrowserContext, ConsoleMessage, expect

from tests.e2e.browsing import KEYCLOAK_LOGIN, sign_in_at_keycloak


async def test_sign_in_browse_switch_language_and_sign_out(
    browser_context: BrowserContext, screenshots: Path
) -> None:
    page = await browser_context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    # Unauthenticated: the console sends the browser to Keycloak's own login page.
    await page.goto("/incidents")
    await expect(page.locator("#kc-login")).to_be_visible()
    await page.screenshot(path=screenshots / "01-keycloak-login.png")
    await sign_in_at_keycloak(page, None, "agent1")

    # Back on the incidents page, signed in: the user's name in the header.
    await expect(page).to_have_url("http://localhost:8000/incidents")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Инциденты")
    await expect(page.locator(".user-link")).to_have_text("Иван Петров")
    await expect(page.locator("#incident-table")).to_be_visible()
    await page.screenshot(path=screenshots / "02-incidents.png", full_page=True)

    # Keyboard: the first Tab reaches the skip link, which leads to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip-link"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    # htmx (served from here, configured by app.js under the CSP) swaps in a fresh table.
    async with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as hx:
        await page.get_by_role("link", name="Обновить").click()
    assert (await hx.value).status == 200
    await expect(page.locator("#incident-table")).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"^http://localhost:8000/incidents(#main)?$"))

    # The profile, from Keycloak.
    await page.locator(".user-link").click()
    await expect(page).to_have_url("http://localhost:8000/profile")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Профиль")
    await expect(page.locator(".facts")).to_contain_text("agent1")
    await expect(page.locator(".facts")).to_contain_text("first-line")
    await expect(page.locator(".facts")).to_contain_text("+79160000001")
    await page.screenshot(path=screenshots / "03-profile.png", full_page=True)

    # English, kept while browsing, then back to Russian.
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Profile")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.screenshot(path=screenshots / "04-profile-en.png", full_page=True)
    await page.get_by_role("link", name="Incidents").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
    await page.get_by_role("link", name="Русский").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Инциденты")

    # Sign out: our session and Keycloak's end; the next visit goes to Keycloak's login page.
    await page.get_by_role("button", name="Выйти").click()
    await expect(page).to_have_url("http://localhost:8000/auth/signed-out")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Вы вышли из системы")
    await page.screenshot(path=screenshots / "05-signed-out.png")
    cookies = {c["name"] for c in await browser_context.cookies("http://localhost:8000")}
    assert "sd_session" not in cookies
    await page.goto("/incidents")
    await expect(page.locator("#kc-login")).to_be_visible()
    await expect(page).to_have_url(KEYCLOAK_LOGIN)
    await page.screenshot(path=screenshots / "06-after-sign-out.png")

    assert problems == [], problems
