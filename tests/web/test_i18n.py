"""Russian and English: the console's texts in the kernel's one catalogue (the same keys in both,
every key the templates use exists), the choice of language, which the services are told, dates
and numbers, and the services' and the console's messages shown in the page's language."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from servicedesk.kernel.i18n import (
    current_language,
    language_var,
    load_texts,
    translate,
    use_language,
)
from servicedesk.kernel.service_client import RetryPolicy, ServiceClient
from servicedesk.web.app import create_app
from servicedesk.web.backend import BackendError, ServiceApi
from servicedesk.web.i18n import TEXTS_DIR, Formats, choose_language
from servicedesk.web.settings import WebSettings
from tests.support.live_web import LiveStack
from tests.web.browsing import sign_in

WEB = Path(__file__).resolve().parents[2] / "src" / "servicedesk" / "web"
# t('key' …) / t("key" …) with a literal key; keys built from data pass `default=`.
USED_KEY = re.compile(r"""\bt\(\s*(['"])([a-z0-9_.]+)\1\s*[,)]""")


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """These tests choose languages; the tests after them start from the one before."""
    token = language_var.set(language_var.get())
    yield
    language_var.reset(token)


def _console(lang: str) -> dict[str, str]:
    """The console's own texts (symbolic keys) in the kernel's catalogue."""
    texts: dict[str, str] = {}
    for path in sorted(TEXTS_DIR.glob(f"console*.{lang}.json")):
        texts |= json.loads(path.read_text(encoding="utf-8"))
    return texts


def test_both_catalogs_have_the_same_keys() -> None:
    ru, en = _console("ru"), _console("en")
    assert len(ru) > 300
    assert sorted(set(ru) - set(en)) == []
    assert sorted(set(en) - set(ru)) == []
    for key in ru:
        assert re.findall(r"{(\w+)}", ru[key]) == re.findall(r"{(\w+)}", en[key]), key


def test_every_key_used_exists() -> None:
    sources = [*WEB.glob("templates/**/*.html"), *WEB.glob("**/*.py")]
    used = {
        (path.name, match.group(2))
        for path in sources
        for match in USED_KEY.finditer(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 30, "the pattern finds the keys"
    for lang in ("ru", "en"):
        texts = load_texts(TEXTS_DIR, lang)
        missing = sorted(f"{name}: {key}" for name, key in used if key not in texts)
        assert missing == [], f"missing in console*.{lang}.json"


def _request(query: str = "", cookie: str = "", accept: str = "") -> Request:
    headers = []
    if cookie:
        headers.append((b"cookie", f"sd_lang={cookie}".encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "cookie", "claim", "accept", "chosen"),
    [
        ("lang=en", "ru", "ru", "ru", "en"),
        ("", "en", "ru", "ru", "en"),
        ("lang=de", "", "en-GB", "ru", "en"),
        ("", "", None, "de-DE,en;q=0.8,ru;q=0.9", "ru"),
        ("", "", None, "en-US,en;q=0.9", "en"),
        ("", "", None, "de, fr;q=0.5", "ru"),
        ("", "", None, "", "ru"),
    ],
)
def test_the_language_is_chosen_in_order(
    query: str, cookie: str, claim: str | None, accept: str, chosen: str
) -> None:
    assert choose_language(_request(query, cookie, accept), claim) == chosen
    assert current_language() == chosen, "the services are asked in the page's language"


def test_dates_and_numbers_in_the_readers_language_and_moscow_time() -> None:
    formats = Formats("Europe/Moscow")
    moment = datetime(2026, 1, 15, 9, 5, tzinfo=UTC)
    assert formats.datetime(moment, "ru", "short") == "15.01.2026, 12:05"
    assert "12:05" in formats.datetime("2026-01-15T09:05:00Z", "en", "short")
    assert "PM" in formats.datetime(moment, "en", "short")
    assert formats.date("2026-01-15T22:30:00Z", "ru") == "16 янв. 2026\u202fг."
    assert formats.number(1234567.5, "ru") == "1\xa0234\xa0567,5"
    assert formats.number("1234567.5", "en") == "1,234,567.5"


async def test_the_language_switch_is_kept_in_a_cookie(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    english = await browser.get("/incidents?lang=en")
    assert '<html lang="en">' in english.text
    assert ">Incidents<" in english.text
    assert "sd_lang=en" in english.headers["set-cookie"]
    assert "Max-Age=31536000" in english.headers["set-cookie"]
    again = await browser.get("/profile")
    assert '<html lang="en">' in again.text
    russian = await browser.get("/profile?lang=ru")
    assert '<html lang="ru">' in russian.text
    assert ">Профиль<" in russian.text


async def test_the_services_are_asked_in_the_pages_language() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["accept-language"])
        return httpx.Response(404, json={"title": "Не найдено", "detail": "инцидента X нет"})

    transport = httpx.MockTransport(answer)
    async with ServiceClient("tickets", "http://tickets", transport=transport) as client:
        api = ServiceApi("tickets", client, "token")
        use_language("ru")
        with pytest.raises(BackendError) as refused:
            await api.get("/api/v1/incidents/X")
        use_language("en")
        with pytest.raises(BackendError):
            await api.send("GET", "/api/v1/incidents/X", headers={"Accept-Language": "ru"})
    assert asked == ["ru", "ru"]
    assert (refused.value.title, refused.value.detail) == ("Не найдено", "инцидента X нет")


def test_field_reasons_that_are_codes_are_shown_in_words() -> None:
    refused = BackendError(
        409,
        "you have a board named 'x' already",
        errors=[
            {"field": "name", "reason": "taken"},
            {"field": "cursor", "reason": "invalid"},
            {"field": "title", "reason": "Обязательное поле"},
            {"field": "other", "reason": "no-such-code"},
        ],
    )
    use_language("ru")
    assert refused.field_errors == {
        "name": "уже занято",
        "cursor": "недопустимое значение",
        "title": "Обязательное поле",
        "other": "no-such-code",
    }
    use_language("en")
    assert refused.field_errors["name"] == "already taken"


async def test_the_consoles_own_messages_are_in_the_catalogue() -> None:
    retry = RetryPolicy(deadline_s=1.0)
    async with ServiceClient("tickets", "http://127.0.0.1:9", timeout_s=1.0, retry=retry) as client:
        with pytest.raises(BackendError) as failed:
            await ServiceApi("tickets", client, "token").get("/api/v1/me")
    detail = failed.value.detail
    assert detail.startswith("tickets is unreachable (")
    assert translate(detail, "ru").startswith("сервис tickets недоступен (")


@pytest.fixture
async def console_without_tickets(live_stack: LiveStack) -> AsyncIterator[httpx.AsyncClient]:
    """The console in-process with the tickets service out of reach."""
    settings = WebSettings(
        tickets_url="http://127.0.0.1:9",
        migration_url=live_stack.migration_url,
        notifications_url=live_stack.notifications_url,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost:8000"
        ) as browser:
            yield browser


async def test_the_russian_console_says_in_russian_what_failed(
    console_without_tickets: httpx.AsyncClient,
) -> None:
    await sign_in(console_without_tickets, "agent1")
    page = await console_without_tickets.get("/incidents", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert '<html lang="ru">' in page.text
    assert "Временно недоступно" in page.text
    assert "сервис tickets недоступен (" in page.text
    assert "is unreachable" not in page.text


async def test_a_missing_record_is_a_russian_404_page(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    page = await browser.get("/incidents/INC-999999?lang=ru", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Не найдено" in page.text
    api = await browser.get("/nowhere", headers={"Accept-Language": "ru"})
    assert (api.status_code, api.json()["title"]) == (404, "Не найдено")
    assert api.headers["content-language"] == "ru"
