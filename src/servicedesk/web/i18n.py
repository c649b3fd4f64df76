"""The console's language and formats; its texts are in the kernel's one catalogue.

Texts live in `servicedesk/kernel/i18n/texts/console*.<lang>.json` (flat keys, `{name}`
placeholders); `t(key, **params)` picks the request's language. The language comes from `?lang=`
(then kept in the cookie `sd_lang`), else the cookie, else the user's `locale` claim, else
Accept-Language, else Russian. The chosen language is also the kernel's current language, so the
services called for the page answer in it (their problem details, validation reasons, notes).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicedesk.kernel.i18n import (
    LANGUAGES,
    TEXTS_DIR,
    Catalogue,
    catalogue,
    from_accept_language,
    supported,
    use_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "TEXTS_DIR",
    "Catalogs",
    "Formats",
    "LanguageCookieMiddleware",
    "choose_language",
    "from_accept_language",
]

DEFAULT_LANGUAGE = "ru"  # the console's users; the APIs default to English
LANGUAGE_COOKIE = "sd_lang"
log = logging.getLogger(__name__)


class Catalogs:
    """The console's view of the catalogue: `t(lang, key, default, **params)`."""

    def __init__(self, texts: Catalogue | None = None) -> None:
        self.catalogue = texts or catalogue()

    def t(self, lang: str, key: str, default: str | None = None, **params: object) -> str:
        """The text of `key`; `default` (else the key) when there is none, e.g. for values
        named by data: `t("status." ~ code, default=code)`."""
        return self.catalogue.text(lang, key, default, **params)

    def translate(self, text: str, lang: str) -> str:
        """A service's message (a problem detail, a note) in `lang`, when the catalogue has it."""
        return self.catalogue.translate(text, lang)


def choose_language(request: Request, locale_claim: str | None = None) -> str:
    """The page's language; it becomes the current language of the request (see above)."""
    lang = (
        supported(request.query_params.get("lang"))
        or supported(request.cookies.get(LANGUAGE_COOKIE))
        or supported(locale_claim)
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )
    use_language(lang)
    return lang


class LanguageCookieMiddleware:
    """Keeps a language chosen with `?lang=ru|en` in the cookie `sd_lang` (one year)."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = Request(scope).query_params.get("lang") if scope["type"] == "http" else None
        lang = supported(chosen)
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

    def money(
        self, value: int | float | Decimal | str | None, currency: str | None, lang: str
    ) -> str:
        """An amount with the currency's own decimals, in the reader's language:
        `99,90 €` in Russian, `€99.90` in English; without a currency, a plain number."""
        if value is None or value == "":
            return ""
        code = (currency or "").strip().upper()
        if not code:
            return self.number(value, lang)
        return babel_format_currency(Decimal(str(value)), code, locale=lang)
