"""Russian and English: the same keys in both, every key the templates use exists, the choice of
language, dates and numbers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from servicedesk.web.i18n import (
    CATALOG_DIR,
    LANGUAGES,
    Formats,
    choose_language,
    load_catalog,
)
from tests.web.browsing import sign_in

WEB = Path(__file__).resolve().parents[2] / "src" / "servicedesk" / "web"
# t('key' …) / t("key" …) with a literal key; keys built from data pass `default=`.
USED_KEY = re.compile(r"""\bt\(\s*(['"])([a-z0-9_.]+)\1\s*[,)]""")


def _catalog(lang: str) -> dict[str, str]:
    return load_catalog(CATALOG_DIR, lang)


def test_both_catalogs_have_the_same_keys() -> None:
    ru, en = _catalog("ru"), _catalog("en")
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
    for lang in LANGUAGES:
        missing = sorted(f"{name}: {key}" for name, key in used if key not in _catalog(lang))
        assert missing == [], f"missing in {lang}.json"


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
