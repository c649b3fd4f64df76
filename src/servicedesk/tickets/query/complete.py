"""What may come at the cursor: fields, operators, values, keywords, functions.

The text before the cursor, less the word being typed, goes through lark's interactive parser;
the terminals it accepts next say which kind of thing comes, the tokens read say for which
field. Suggestions replace the word being typed: `text[start:end]`.
"""

from __future__ import annotations

import re
from typing import Literal

from lark import Token
from lark.exceptions import LarkError
from pydantic import BaseModel, ConfigDict

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.query.fields import FIELDS, FieldSpec, Kind, field_spec
from servicedesk.tickets.query.model import Entity
from servicedesk.tickets.query.render import word
from servicedesk.tickets.query.syntax import MAX_LENGTH, OPERATOR_TERMINALS, interactive
from servicedesk.tickets.query.vocabulary import Vocabulary, fold

SuggestionKind = Literal["field", "operator", "value", "keyword", "function", "user", "group"]
_PARTIAL_WORD = re.compile(r'[^\s(),=!<>~"\\]+$')
_PARTIAL_OPERATOR = re.compile(r"[!<>=~]+$")
_SPLIT_KEYWORD = re.compile(r"(?:^|\s)((?:order|group)\s+)$", re.IGNORECASE)
_VALUE_TOKENS = frozenset({"WORD", "STRING", "NUMBER", "DATE", "RELDATE", "COMMA", "LPAR"})
_RELATIVE = (("-1d", _t("a day ago")), ("-7d", _t("a week ago")), ("-30d", _t("30 days ago")))
_KEYWORDS = {
    "AND": "and",
    "OR": "or",
    "NOT": "not",
    "ASC": "asc",
    "DESC": "desc",
    "COMMA": ",",
    "RPAR": ")",
    "ORDER_BY": "order by",
    "GROUP_BY": "group by",
}


class Suggestion(BaseModel):
    """`text` replaces `[start, end)` of the query. Kind `user` (or `group`) is a marker: the
    caller lists matching usernames (group names) from the directory, `text` is the part
    typed so far."""

    model_config = ConfigDict(frozen=True)

    kind: SuggestionKind
    text: str
    label: str | None = None
    start: int
    end: int


def _partial(prefix: str) -> tuple[int, str]:
    """Where the word being typed starts, and what it says (unquoted, for matching)."""
    quote_at, at = -1, 0
    while at < len(prefix):
        char = prefix[at]
        if quote_at >= 0 and char == "\\":
            at += 2
            continue
        if char == '"':
            quote_at = at if quote_at < 0 else -1
        at += 1
    if quote_at >= 0:
        inner = prefix[quote_at + 1 :].replace('\\"', '"').replace("\\\\", "\\")
        return quote_at, inner
    found = _PARTIAL_WORD.search(prefix) or _PARTIAL_OPERATOR.search(prefix)
    start = found.start() if found else len(prefix)
    return start, prefix[start:]


def _matching(typed: str, *names: str | None) -> bool:
    wanted = fold(typed)
    return not wanted or any(name and fold(name).startswith(wanted) for name in names)


def _operators(spec: FieldSpec | None) -> list[str]:
    ops = spec.operators if spec else ("=", "!=", "<", "<=", ">", ">=", "~", "in", "not in")
    return [{"is": "is empty", "is not": "is not empty"}.get(op, op) for op in ops]


class _Completer:
    def __init__(self, entity: Entity, vocabulary: Vocabulary, start: int, end: int) -> None:
        self.entity = entity
        self.vocabulary = vocabulary
        self.start = start
        self.end = end
        self.found: list[Suggestion] = []

    def add(self, kind: SuggestionKind, text: str, label: str | None = None) -> None:
        self.found.append(
            Suggestion(kind=kind, text=text, label=label, start=self.start, end=self.end)
        )

    def fields(self, typed: str, which: str) -> None:
        for spec in FIELDS[self.entity].values():
            allowed = {"order": spec.orderable, "group": spec.groupable}.get(which, True)
            if allowed and _matching(typed, spec.name):
                self.add("field", spec.name, spec.description)

    def values(self, spec: FieldSpec | None, typed: str, list_start: bool) -> None:
        if spec is None:
            return
        if spec.vocabulary is not None:
            for choice in self.vocabulary.choices(spec.vocabulary):
                if _matching(typed, choice.id, *choice.labels):
                    self.add("value", word(choice.id), choice.label)
        elif spec.kind is Kind.BOOL:
            for value in ("true", "false"):
                if _matching(typed, value):
                    self.add("value", value)
        elif spec.kind is Kind.USER:
            self.add("user", typed)
            if _matching(typed, "me()"):
                self.add("function", "me()", _t("you"))
        elif spec.kind is Kind.GROUP:
            self.add("group", typed)
            if list_start and _matching(typed, "my_groups()"):
                self.add("function", "my_groups()", _t("your groups"))
        elif spec.kind is Kind.TIME:
            if _matching(typed, "now()"):
                self.add("function", "now()", _t("now"))
            for value, label in _RELATIVE:
                if _matching(typed, value):
                    self.add("value", value, label)


def complete(text: str, cursor: int, entity: Entity, vocabulary: Vocabulary) -> list[Suggestion]:
    """Suggestions for the cursor position (an offset into `text`); none if the text before
    it is already wrong."""
    if entity not in FIELDS or not isinstance(text, str):
        return []
    cursor = max(0, min(cursor, len(text)))
    prefix = text[:cursor]
    if len(prefix) > MAX_LENGTH:
        return []
    start, typed = _partial(prefix)
    try:
        parser, tokens = interactive(prefix[:start])
    except (LarkError, RecursionError):
        split = _SPLIT_KEYWORD.search(prefix[:start])
        if split is None:
            return []
        start, typed = split.start(1), split.group(1) + typed
        try:
            parser, tokens = interactive(prefix[:start])
        except (LarkError, RecursionError):
            return []
    accepts: set[str] = parser.accepts()  # type: ignore[no-untyped-call]
    completer = _Completer(entity, vocabulary, start, cursor)
    clause = next((t.type for t in reversed(tokens) if t.type in ("ORDER_BY", "GROUP_BY")), "")
    last_field = _last_field(entity, tokens)
    if accepts & OPERATOR_TERMINALS:
        for op in _operators(last_field):
            if _matching(typed, op):
                completer.add("operator", op)
    elif accepts == {"IN"}:
        completer.add("operator", "in")
    elif accepts == {"EMPTY", "NOT"} or accepts == {"EMPTY"}:
        for option in ("empty", "not empty") if "NOT" in accepts else ("empty",):
            if _matching(typed, option):
                completer.add("operator", option)
    elif "NUMBER" in accepts or ("LPAR" in accepts and "WORD" in accepts and "NOT" not in accepts):
        list_start = "NUMBER" not in accepts
        if list_start and not typed:
            completer.add("keyword", "(")
        completer.values(_value_field(entity, tokens), typed, list_start)
    elif "WORD" in accepts:
        which = {"ORDER_BY": "order", "GROUP_BY": "group"}.get(clause, "filter")
        completer.fields(typed, which)
    for terminal, keyword in _KEYWORDS.items():
        if terminal in accepts and _matching(typed, keyword):
            if terminal == "NOT" and (accepts & OPERATOR_TERMINALS or "EMPTY" in accepts):
                continue
            completer.add("keyword", keyword)
    return completer.found


def _spec(entity: Entity, token: Token | None) -> FieldSpec | None:
    if token is None or token.type not in ("WORD", "STRING"):
        return None
    name = str(token.value)
    name = name[1:-1] if token.type == "STRING" else name
    return field_spec(entity, name)


def _last_field(entity: Entity, tokens: list[Token]) -> FieldSpec | None:
    return _spec(entity, tokens[-1] if tokens else None)


def _value_field(entity: Entity, tokens: list[Token]) -> FieldSpec | None:
    """The field a value position belongs to: before its operator, past a list's items."""
    at = len(tokens) - 1
    while at >= 0 and tokens[at].type in _VALUE_TOKENS:
        at -= 1
    if at >= 0 and tokens[at].type in (*OPERATOR_TERMINALS, "IN"):
        at -= 1
        if at >= 0 and tokens[at].type == "NOT":
            at -= 1
        return _spec(entity, tokens[at] if at >= 0 else None)
    return None
