"""A mail's own words: HTML turned into plain text (scripts, styles and markup dropped) and the
quoted history of earlier replies cut off."""

from __future__ import annotations

import re
from html.parser import HTMLParser

REPLY_ABOVE = "## ↑ ##"  # our mail ends its text above this line; a reply's text is above it
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote"})
_HIDDEN = frozenset({"script", "style", "head", "title"})
_QUOTE_HEADS = (
    re.compile(r"^\s*(On|Am|Le)\s.{3,200}\s(wrote|schrieb|a écrit)\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*.{3,200}\s(пишет|написал|написала)\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Исходное сообщение|Пересылаемое)", re.IGNORECASE),
    re.compile(r"^\s*(From|От|Von)\s*:\s.+@", re.IGNORECASE),
    re.compile(r"^\s*_{20,}\s*$"),  # Outlook's line above the quoted headers
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "blockquote":
            self.quoted += 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag == "blockquote" and self.quoted:
            self.quoted -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.quoted:  # quoted replies are history
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def without_quotes(text: str) -> str:
    """The text above the quoted history (a reply header, our marker, `>` lines)."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if REPLY_ABOVE in line or any(head.match(line) for head in _QUOTE_HEADS):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
