"""One message catalogue for every service and the console: Russian and English.

- Raise sites: `raise NotFound(_t("incident {reference} does not exist", reference=ref))`.
- The problem handlers render titles, details and `_t` values in `errors[]` in the language of
  `Accept-Language` (English by default); `translate(text)` does it anywhere in a request.
- History notes and other kept messages: store `stored(message)` (JSON), show
  `localized_stored(kept, english_note)` in the reader's language.
- The console: `catalogue().text(lang, "nav.incidents")` for its symbolic keys.

See docs/adr/0021-one-message-catalogue.md.
"""

from servicedesk.kernel.i18n.catalogue import (
    TEXTS_DIR,
    Catalogue,
    catalogue,
    load_texts,
    localized,
    localized_stored,
    translate,
)
from servicedesk.kernel.i18n.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    from_accept_language,
    language_of,
    language_var,
    supported,
    use_language,
)
from servicedesk.kernel.i18n.messages import (
    Message,
    _t,
    fields_of,
    from_stored,
    joined,
    stored,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TEXTS_DIR",
    "Catalogue",
    "Message",
    "_t",
    "catalogue",
    "current_language",
    "fields_of",
    "from_accept_language",
    "from_stored",
    "joined",
    "language_of",
    "language_var",
    "load_texts",
    "localized",
    "localized_stored",
    "stored",
    "supported",
    "translate",
    "use_language",
]
