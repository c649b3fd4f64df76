"""The one message catalogue: every text a user reads, in Russian and English.

`texts/<area>.<lang>.json` are flat objects, merged per language (a key defined twice is an error).
Two kinds of keys live in it:

- messages of the services (problem titles and details, validation reasons, workflow errors,
  history notes): the key is the English template (`"incident {reference} does not exist"`); only
  `<area>.ru.json` exists, English is the key itself;
- texts of the console's pages: symbolic keys (`"nav.incidents"`) in both languages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from servicedesk.kernel.i18n.language import DEFAULT_LANGUAGE, LANGUAGES, current_language
from servicedesk.kernel.i18n.messages import Message, fill, from_stored

TEXTS_DIR = Path(__file__).parent / "texts"
log = logging.getLogger(__name__)


def load_texts(directory: Path, lang: str) -> dict[str, str]:
    """Every `<area>.<lang>.json` in `directory`, merged."""
    texts: dict[str, str] = {}
    for path in sorted(directory.glob(f"*.{lang}.json")):
        part: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(texts))
        if twice:
            raise ValueError(f"{path.name}: keys defined twice: {', '.join(twice)}")
        texts |= part
    return texts


class Catalogue:
    """The texts of every language, loaded once."""

    def __init__(self, directory: Path = TEXTS_DIR) -> None:
        self.texts: dict[str, dict[str, str]] = {
            lang: load_texts(directory, lang) for lang in LANGUAGES
        }

    def translate(self, text: str, lang: str) -> str:
        """`text` in `lang`. A `Message` is rendered from its template's translation (its
        parameters too); plain text is looked up as it is (gettext), else kept."""
        texts = self.texts.get(lang) or self.texts[DEFAULT_LANGUAGE]
        if not isinstance(text, Message):
            return texts.get(text, text)
        params = {
            name: self.translate(value, lang) if isinstance(value, Message) else value
            for name, value in text.params.items()
        }
        return fill(texts.get(text.template, text.template), params, text.template)

    def text(self, lang: str, key: str, default: str | None = None, **params: object) -> str:
        """The console's text of a symbolic key; `default` (else the key) when there is none,
        e.g. for values named by data: `t("status." ~ code, default=code)`."""
        found = self.texts.get(lang, {}).get(key)
        if found is None:
            if default is not None:
                return default
            log.warning("missing text", extra={"key": key, "lang": lang})
            return key
        params = {
            name: self.translate(value, lang) if isinstance(value, Message) else value
            for name, value in params.items()
        }
        return fill(found, params, found)


@cache
def catalogue() -> Catalogue:
    """The catalogue of the installed package."""
    return Catalogue()


def translate(text: str, lang: str | None = None) -> str:
    """`text` (a `Message` or plain text) in `lang`, by default the current request's."""
    return catalogue().translate(text, lang or current_language())


def localized(text: str | None) -> str | None:
    """`translate` for optional values, e.g. a note a response carries."""
    return None if text is None else translate(text)


def localized_stored(kept: Mapping[str, Any] | None, text: str | None = None) -> str | None:
    """A message kept with `stored` in the current language; without one, `text` (e.g. the
    English note of a row written before messages were kept), looked up as it is."""
    if kept:
        try:
            return translate(from_stored(kept))
        except (KeyError, TypeError, ValueError):
            log.warning("stored message unreadable", extra={"stored": str(kept)[:200]})
    return localized(text)
