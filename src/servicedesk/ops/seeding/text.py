"""Text as the services store it: transliterated handles and folded search text."""

from __future__ import annotations

import re

_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
        **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ъ": "", "ь": "", "ю": "iu", "я": "ia"},
    }
)
_NOT_HANDLE = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def transliterate(text: str) -> str:
    """Lower-case Latin letters and digits only, words joined by hyphens."""
    return _NOT_HANDLE.sub("-", text.lower().translate(_TRANSLIT)).strip("-")


def fold_text(value: str) -> str:
    """The SQL `fold_text`/`fold_name`: lower case, ё → е, runs of whitespace → one space."""
    return _SPACES.sub(" ", value.lower().replace("ё", "е"))
