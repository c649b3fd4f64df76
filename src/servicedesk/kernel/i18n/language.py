"""The languages we speak, the language of a request (Accept-Language) and of the current task.

The APIs answer in the language the client asks for with `Accept-Language` (`ru`, `en`; English
when it asks for neither). The kernel's request middleware keeps it in a context variable, so code
far from the request (a read that renders stored history notes) can render in it; the console sets
the variable to the language the user chose, and its calls to the services send it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar, Token

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "en"
MAX_LANGUAGE_RANGES = 20

language_var: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def supported(tag: str | None) -> str | None:
    """Our language for a tag such as `ru-RU`, `en_GB` or `EN`; None for any other."""
    if not tag:
        return None
    primary = tag.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header, by q value then order."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_LANGUAGE_RANGES]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang = supported(tag)
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def language_of(headers: Mapping[str, str]) -> str:
    """The language to answer a request in: its Accept-Language, else English."""
    return from_accept_language(headers.get("accept-language")) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the request being served (English outside of any request)."""
    return language_var.get()


def use_language(lang: str) -> Token[str]:
    """Renders what follows in `lang` (one of LANGUAGES), in this task and those it starts."""
    return language_var.set(supported(lang) or DEFAULT_LANGUAGE)
