"""The grammar (query.lark, LALR(1)) and its errors told in words: what was expected where."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from servicedesk.kernel.i18n import _t, joined
from servicedesk.tickets.query.errors import QueryError

MAX_LENGTH = 2000
OPERATOR_WORDS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "~", "is")
OPERATOR_TERMINALS = frozenset({"EQ", "NE", "LT", "LE", "GT", "GE", "CONTAINS"})
VALUE_TERMINALS = frozenset({"WORD", "STRING", "NUMBER", "DATE", "RELDATE"})
_WORDS = {
    "NOT": "not",
    "IN": "in",
    "IS": "is",
    "EMPTY": "empty",
    "ASC": "asc",
    "DESC": "desc",
    "COMMA": ",",
    "RPAR": ")",
    "AND": "and",
    "OR": "or",
    "ORDER_BY": "order by",
    "GROUP_BY": "group by",
    "LPAR": "(",
}
_PUNCTUATION = frozenset({"(", ")", ","})
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "empty", "asc", "desc"})


@cache
def grammar() -> Lark:
    source = (files("servicedesk.tickets.query") / "query.lark").read_text(encoding="utf-8")
    return Lark(source, parser="lalr", lexer="basic", propagate_positions=True)


def syntax_tree(text: str) -> Tree[Token]:
    """The parse tree; any syntax error as a QueryError."""
    try:
        return grammar().parse(text)
    except UnexpectedInput as exc:
        raise syntax_error(text, exc) from None
    except (LarkError, RecursionError):
        raise QueryError(_t("the query could not be read")) from None


def interactive(prefix: str) -> tuple[InteractiveParser, list[Token]]:
    """The parser after reading `prefix`, and its tokens; lark's errors propagate."""
    parser = grammar().parse_interactive(prefix)
    return parser, parser.exhaust_lexer()


def expected_at(prefix: str) -> set[str]:
    """Terminals that may follow `prefix` (empty if the prefix itself is wrong)."""
    try:
        parser, _ = interactive(prefix)
        return set(parser.accepts())  # type: ignore[no-untyped-call]
    except (LarkError, RecursionError):
        return set()


def describe(accepts: Collection[str]) -> tuple[str, list[str]]:
    """In words: `an operator (=, ...)`, `a value`, `and, or or the end of the query`..."""
    accepts = set(accepts)
    phrases: list[str] = []
    suggestions: list[str] = []
    if accepts == {"EMPTY", "NOT"}:  # after `is`
        return _t("empty or not empty"), ["empty", "not empty"]
    if accepts & OPERATOR_TERMINALS:
        phrases.append(_t("an operator ({operators})", operators=", ".join(OPERATOR_WORDS)))
        suggestions += OPERATOR_WORDS
        accepts = accepts - {"NOT", "IN", "IS"}
    if "NUMBER" in accepts:
        phrases.append(_t("a value"))
    elif "WORD" in accepts and "LPAR" in accepts and "NOT" not in accepts:
        phrases.append(_t("a list like (a, b) or a function like my_groups()"))
        accepts = accepts - {"LPAR"}
    elif "WORD" in accepts:
        phrases.append(_t("a field"))
    if "AND" in accepts:
        accepts = accepts - {"LPAR"}  # after a word, as if it named a function
    for terminal, word in _WORDS.items():
        if terminal in accepts:
            phrases.append(f'"{word}"' if word in _PUNCTUATION else word)
            suggestions.append(word)
    if "$END" in accepts:
        phrases.append(_t("the end of the query"))
    if not phrases:
        return _t("something else"), suggestions
    if len(phrases) == 1:
        return phrases[0], suggestions
    return _t("{phrases} or {last}", phrases=joined(phrases[:-1]), last=phrases[-1]), suggestions


def _lexed(text: str) -> list[Token]:
    try:
        return list(grammar().lex(text))
    except (LarkError, RecursionError):
        return []


def _unbalanced(text: str, tokens: Iterable[Token]) -> QueryError | None:
    """The first `)` without its `(`, else the last `(` never closed."""
    opened: list[Token] = []
    for token in tokens:
        if token.type == "LPAR":
            opened.append(token)
        elif token.type == "RPAR":
            if not opened:
                problem = _t('unbalanced parentheses: this ")" closes nothing')
                return QueryError.at(text, _pos(token), 1, problem)
            opened.pop()
    if opened:
        problem = _t('unbalanced parentheses: this "(" is never closed')
        return QueryError.at(text, _pos(opened[-1]), 1, problem)
    return None


def _pos(token: Token) -> int:
    return token.start_pos if token.start_pos is not None else 0


def _bad_string(text: str, start: int) -> QueryError:
    at = start + 1
    while at < len(text):
        char = text[at]
        if char == '"':
            break
        if char == "\\":
            if text[at + 1 : at + 2] not in ('"', "\\"):
                problem = _t("unknown escape in a string")
                return QueryError.at(text, at, 2, problem, hint=_t('write \\" or \\\\ only'))
            at += 2
            continue
        if ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            return QueryError.at(text, at, 1, _t("a control character in a string"))
        at += 1
    problem = _t("unterminated string")
    return QueryError.at(text, start, len(text) - start, problem, hint=_t('close it with "'))


def _unexpected_character(text: str, exc: UnexpectedCharacters) -> QueryError:
    position = exc.pos_in_stream or 0
    char = text[position : position + 1]
    if char == '"':
        return _bad_string(text, position)
    if char == "!":
        return QueryError.at(text, position, 1, _t('unexpected "!"'), suggestions=["!="])
    if not char.isprintable():
        problem = _t("unexpected character U+{code}", code=f"{ord(char):04X}")
        return QueryError.at(text, position, 1, problem)
    words, _ = describe(expected_at(text[:position]))
    problem = _t('unexpected character "{char}"', char=char)
    return QueryError.at(text, position, 1, problem, hint=_t("expected {expected}", expected=words))


def _unexpected_token(text: str, exc: UnexpectedToken) -> QueryError:
    token: Token = exc.token
    accepts = set(exc.accepts or exc.expected or ())
    at_end = token.type == "$END"
    position = len(text.rstrip()) if at_end else _pos(token)
    length = 0 if at_end else len(token)
    if (at_end and "RPAR" in accepts) or (token.type == "RPAR" and "RPAR" not in accepts):
        unbalanced = _unbalanced(text, _lexed(text))
        if unbalanced is not None:
            return unbalanced
    if accepts == {"LPAR"}:  # `in word`: the word was taken for a function's name
        before = [t for t in _lexed(text[:position]) if t.type == "WORD"]
        if before:
            position, length = _pos(before[-1]), len(before[-1])
            accepts = {"LPAR", "WORD"}
    words, suggestions = describe(accepts)
    hint = None
    if token.type in VALUE_TERMINALS and "AND" in accepts:
        hint = _t('quote a value of several words: "like this"')
    elif token.lower() in _KEYWORDS and "NUMBER" in accepts:
        hint = _t('"{token}" is a keyword: quote it to use it as a value', token=str(token))
    return QueryError.at(
        text,
        position,
        length,
        _t("expected {expected}", expected=words),
        suggestions=suggestions,
        hint=hint,
        mention=False,
    )


def syntax_error(text: str, exc: UnexpectedInput) -> QueryError:
    try:
        if isinstance(exc, UnexpectedCharacters):
            return _unexpected_character(text, exc)
        if isinstance(exc, UnexpectedToken):
            return _unexpected_token(text, exc)
    except (LarkError, RecursionError):
        pass
    position = getattr(exc, "pos_in_stream", None) or 0
    return QueryError.at(text, position, 0, _t("the query could not be read"))
