"""What every browser test does: watch a page for what must not happen, sign in at Keycloak."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import ConsoleMessage, Page, expect

WEB = "http://localhost:8000"
KEYCLOAK_LOGIN = re.compile(r"^http://localhost:8080/realms/servicedesk/")
PASSWORD = "demo"

# Records every CSP violation the page reports (an init script is not itself subject to it).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.sourceFile || "") + ":"
    + event.lineNumber + " " + (event.sample || ""));
});
"""

Provoked = Callable[[int, str], bool]  # (status, url): a refusal the test asks for itself


def watch(
    page: Page,
    problems: list[str] | None = None,
    provoked: Provoked | None = None,
    excused_statuses: frozenset[int] = frozenset(),
) -> list[str]:
    """Collects page errors, console errors (a Content-Security-Policy violation is one) and
    failed responses, except the responses `provoked` names and the console's reports of
    `excused_statuses`; the list the test asserts empty."""
    found: list[str] = [] if problems is None else problems
    allowed: Provoked = provoked or (lambda _status, _url: False)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        refusal = re.search(r"status of (\d{3})", message.text)
        if refusal and int(refusal.group(1)) in excused_statuses:
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on(
        "response",
        lambda r: (
            found.append(f"{r.status} {r.url}")
            if r.status >= 400 and not allowed(r.status, r.url)
            else None
        ),
    )
    return found


async def sign_in_at_keycloak(
    page: Page, path: str | None, username: str, *, back_at_path: bool = True
) -> None:
    """Opens `path` (None: the page is at Keycloak already), signs in on Keycloak's own form
    and checks the console brought the person back to the path."""
    if path is not None:
        await page.goto(path)
    await expect(page).to_have_url(KEYCLOAK_LOGIN)
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("#kc-login").click()
    if path is not None and back_at_path:
        await expect(page).to_have_url(f"{WEB}{path}")
