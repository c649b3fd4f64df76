"""Russian and English texts of the console, the choice of language, dates and numbers.

Texts live in `i18n/<lang>.json` (flat keys, `{name}` placeholders); `t(key, **params)` picks the
request's language. The language comes from `?lang=` (then kept in the cookie `sd_lang`), else the
cookie, else the user's `locale` claim, else Accept-Language, else Russian.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal as babel_format_decimal
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_COOKIE = "sd_lang"
CATALOG_DIR = Path(__file__).parent / "i18n"
log = logging.getLogger(__name__)


def load_catalog(directory: Path, lang: str) -> dict[str, str]:
    """`<lang>.json` and every `<area>.<lang>.json` beside it (one file per area of pages),
    merged; a key defined twice is an error."""
    texts: dict[str, str] = {}
    for path in sorted([directory / f"{lang}.json", *directory.glob(f"*.{lang}.json")]):
        part: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(texts))
        if twice:
            raise ValueError(f"{path.name}: keys defined twice: {', '.join(twice)}")
        texts |= part
    return texts


class Catalogs:
    """The texts of every language, loaded once."""

    def __init__(self, directory: Path = CATALOG_DIR) -> None:
        self.texts: dict[str, dict[str, str]] = {
            lang: load_catalog(directory, lang) for lang in LANGUAGES
        }

    def t(self, lang: str, key: str, default: str | None = None, **params: object) -> str:
        """The text of `key`; `default` (else the key) when there is none, e.g. for values
        named by data: `t("status." ~ code, default=code)`."""
        text = self.texts.get(lang, {}).get(key)
        if text is None:
            if default is not None:
                return default
            log.warning("missing text", extra={"key": key, "lang": lang})
            return key
        return text.format(**params) if params else text


def _valid(lang: str | None) -> str | None:
    if not lang:
        return None
    primary = lang.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header, by q value."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang = _valid(tag)
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def choose_language(request: Request, locale_claim: str | None = None) -> str:
    return (
        _valid(request.query_params.get("lang"))
        or _valid(request.cookies.get(LANGUAGE_COOKIE))
        or _valid(locale_claim)
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )


class LanguageCookieMiddleware:
    """Keeps a language chosen with `?lang=ru|en` in the cookie `sd_lang` (one year)."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = _valid(Request(scope).query_params.get("lang")) if scope["type"] == "http" else None
        if lang is None:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                secure = "; Secure" if self.secure else ""
                headers.append(
                    "set-cookie",
                    f"{LANGUAGE_COOKIE}={lang}; Max-Age=31536000; Path=/; SameSite=Lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class Formats:
    """Dates and numbers in the reader's language and the console's time zone."""

    def __init__(self, time_zone: str) -> None:
        self.zone = ZoneInfo(time_zone)

    def datetime(self, value: datetime | str | None, lang: str, style: str = "medium") -> str:
        if value is None or value == "":
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return babel_format_datetime(moment, style, tzinfo=self.zone, locale=lang)

    def date(self, value: date | str | None, lang: str, style: str = "medium") -> str:
        if value is None or value == "":
            return ""
        day = (
            (datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value))
            if isinstance(value, str)
            else value
        )
        if isinstance(day, datetime):
            day = day.astimezone(self.zone).date()
        return babel_format_date(day, style, locale=lang)

    def number(self, value: int | float | Decimal | str | None, lang: str) -> str:
        if value is None or value == "":
            return ""
        return babel_format_decimal(Decimal(str(value)), locale=lang)
