"""Messages rendered in the reader's language: English text that remembers how it was made.

    raise IncidentNotFound(_t("incident {reference} does not exist", reference=reference))

`_t` returns a `Message`: a `str` (its English text, so logs, `str()`, comparisons and JSON see
English, as before) that also carries its template and parameters. The problem handlers render it
in the request's language from the catalogue (`texts/*.ru.json`, keyed by the English template).
Templates use `str.format` fields, conversions included (`{name!r}`); parameters may be messages
themselves and are rendered in the same language.

A message to keep (a history note) is stored as `stored(message)`, a JSON object
`{"msg": template, "params": {...}}`, and made again with `from_stored`.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger(__name__)
_FORMATTER = string.Formatter()


class Message(str):
    """English text made from a template and parameters, which can be rendered again in
    another language (`servicedesk.kernel.i18n.translate`)."""

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, params: Mapping[str, object] | None = None) -> Message:
        values = dict(params or {})
        made = super().__new__(cls, fill(template, values, template))
        made.template = template
        made.params = values
        return made

    def __repr__(self) -> str:
        return f"_t({self.template!r}, **{self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, dict(self.params)))


def _t(template: str, /, **params: object) -> Message:
    """A message in English now, in the reader's language when rendered: the template is the
    catalogue's key, so wrapping an f-string's text is all it takes to translate it."""
    return Message(template, params)


def joined(items: Iterable[object], separator: str = ", ") -> Message:
    """Items joined as one message whose items stay messages: `joined([_t("a value"),
    _t("a field")])` is "a value, a field" in English and "значение, поле" in Russian
    (`", ".join(...)` would keep only the English text)."""
    values = list(items)
    escaped = separator.replace("{", "{{").replace("}", "}}")
    template = escaped.join(f"{{item{index}}}" for index in range(len(values)))
    return Message(template, {f"item{index}": value for index, value in enumerate(values)})


def fields_of(template: str) -> list[str]:
    """The names of a template's fields, in order: `"{a} and {b!r}"` → `["a", "b"]`."""
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name is not None]


def fill(template: str, params: Mapping[str, object], fallback: str) -> str:
    """`template` with `params`; `fallback` with them when the template does not fit (a
    translation naming a field the message lacks must not turn an answer into a 500)."""
    if not params:
        return template  # nothing to fill in: the text as written, braces included
    try:
        return template.format_map(params)
    except (KeyError, IndexError, ValueError, AttributeError):
        log.warning("message template does not fit", extra={"template": template})
        if fallback is template:
            return template
        return fill(fallback, params, fallback)


def stored(message: str) -> dict[str, Any]:
    """A message as JSON, to be rendered later in any language; plain text is kept as it is."""
    if not isinstance(message, Message):
        return {"msg": str(message), "params": {}}
    params = {
        name: stored(value) if isinstance(value, Message) else _scalar(value)
        for name, value in message.params.items()
    }
    return {"msg": message.template, "params": params}


def from_stored(value: Mapping[str, Any]) -> Message:
    """The message `stored` kept."""
    params = {
        name: from_stored(item) if isinstance(item, Mapping) and "msg" in item else item
        for name, item in dict(value.get("params") or {}).items()
    }
    return Message(str(value["msg"]), params)


def _scalar(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return str(value) if isinstance(value, str) else value
    return str(value)
