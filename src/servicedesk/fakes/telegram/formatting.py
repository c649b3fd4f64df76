"""Message text as Telegram stores it: plain text plus entities, offsets in UTF-16 code units.

HTML parse mode is parsed as Telegram does (its tag set, its error texts); Markdown and
MarkdownV2 are kept as sent, without entities. Bot commands typed by a person become
`bot_command` entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from servicedesk.fakes.telegram.chats import JsonObject
from servicedesk.fakes.telegram.errors import BotApiError, bad_request

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_PARSE_MODES = {"html", "markdown", "markdownv2"}
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class FormattedText:
    text: str
    entities: list[JsonObject]


class _EntityParseError(Exception):
    pass


@dataclass(slots=True)
class _OpenTag:
    tag: str
    entity: JsonObject | None
    offset: int


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset; anything else is refused as Telegram refuses it."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.length = 0
        self.open_tags: list[_OpenTag] = []
        self.entities: list[JsonObject] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        lines = self.source.split("\n")
        before = "\n".join(lines[: line - 1]) + ("\n" if line > 1 else "")
        return len((before + lines[line - 1][:column]).encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        entity: JsonObject | None
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
            language = (attributes.get("class") or "").removeprefix("language-")
            parent = self.open_tags[-1] if self.open_tags else None
            if tag == "code" and parent is not None and parent.tag == "pre" and language:
                assert parent.entity is not None
                parent.entity["language"] = language
                entity = None
        elif tag == "a" and attributes.get("href"):
            entity = {"type": "text_link", "url": attributes["href"]}
        elif tag == "span" and attributes.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "blockquote":
            expandable = "expandable" in attributes
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        elif tag == "tg-emoji" and attributes.get("emoji-id"):
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
        else:
            raise _EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        self.open_tags.append(_OpenTag(tag, entity, self.length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _EntityParseError(
            f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
        )

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise _EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset()}")
        opened = self.open_tags.pop()
        if opened.tag != tag:
            raise _EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{opened.tag}>", found "</{tag}>"'
            )
        length = self.length - opened.offset
        if opened.entity is not None and length > 0:
            self.entities.append({**opened.entity, "offset": opened.offset, "length": length})

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_length(data)

    def finish(self) -> FormattedText:
        self.close()
        if self.open_tags:
            tag = self.open_tags[-1].tag
            raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        return FormattedText("".join(self.parts), self.entities)


def _trimmed(formatted: FormattedText) -> FormattedText:
    """Leading and trailing whitespace dropped, entities moved and clipped to match."""
    text = formatted.text.strip()
    if not text:
        return FormattedText("", [])
    shift = utf16_length(formatted.text[: len(formatted.text) - len(formatted.text.lstrip())])
    end = utf16_length(text)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return FormattedText(text, entities)


def format_text(
    raw: str, parse_mode: str | None, entities: list[JsonObject] | None = None
) -> FormattedText:
    """What Telegram keeps of a text sent with a parse mode (or explicit entities)."""
    if parse_mode is None or entities:
        return _trimmed(FormattedText(raw, entities or []))
    if parse_mode.lower() not in _PARSE_MODES:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    if parse_mode.lower() != "html":
        return _trimmed(FormattedText(raw, []))
    parser = _TelegramHtml(raw)
    try:
        parser.feed(raw)
        return _trimmed(parser.finish())
    except _EntityParseError as error:
        raise _entities_error(str(error)) from error


def _entities_error(reason: str) -> BotApiError:
    return bad_request(f"can't parse entities: {reason}")


def command_entities(text: str) -> list[JsonObject]:
    """`bot_command` entities for `/command` and `/command@bot` in a person's text."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: found.start()]),
            "length": utf16_length(found.group()),
        }
        for found in _COMMAND.finditer(text)
    ]
