"""Model to text, canonically: lower-case keywords, one space around operators, values quoted
only when they must be, parentheses around every nested `and` / `or`.
`parse_query(render(q)) == q` for every checked query."""

from __future__ import annotations

from functools import lru_cache

from lark.exceptions import LarkError

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.query.errors import QueryError
from servicedesk.tickets.query.model import (
    And,
    Comparison,
    Condition,
    DateValue,
    Empty,
    Function,
    ListValue,
    Not,
    Number,
    Or,
    OrderItem,
    Query,
    RelativeDate,
    Text,
    Value,
    depth,
)
from servicedesk.tickets.query.syntax import grammar

MAX_RENDER_DEPTH = 200


@lru_cache(maxsize=4096)
def is_bare(word: str) -> bool:
    """Whether `word` reads back as itself, unquoted: one plain word, not a keyword, a number,
    a date or a relative date."""
    if not word or len(word) > 200:
        return False
    try:
        tokens = list(grammar().lex(word))
    except (LarkError, RecursionError):
        return False
    return len(tokens) == 1 and tokens[0].type == "WORD" and tokens[0].value == word


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def word(text: str) -> str:
    """A value or a field name as written: bare when it can be, else quoted."""
    return text if is_bare(text) else quote(text)


def render_value(value: Value) -> str:
    if isinstance(value, Text):
        return word(value.value)
    if isinstance(value, Number):
        return str(value.value)
    if isinstance(value, DateValue):
        text = value.date.isoformat()
        if value.time is not None:
            spec = "minutes" if value.time.second == 0 else "seconds"
            text += "T" + value.time.isoformat(timespec=spec)
        return text
    if isinstance(value, RelativeDate):
        sign = "-" if value.amount < 0 else "+"
        return f"{sign}{abs(value.amount)}{value.unit}"
    if isinstance(value, Function):
        return f"{value.name}()"
    if isinstance(value, ListValue):
        return "(" + ", ".join(render_value(item) for item in value.items) + ")"
    assert isinstance(value, Empty)
    return "empty"


def _comparison(node: Comparison) -> str:
    return f"{word(node.field)} {node.op} {render_value(node.value)}"


def render_condition(node: Condition) -> str:
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, Not):
        inner = render_condition(node.item)
        return f"not ({inner})" if isinstance(node.item, And | Or) else f"not {inner}"
    joiner = " and " if isinstance(node, And) else " or "
    parts = []
    for item in node.items:
        text = render_condition(item)
        # `or` in `and` for precedence, the same connective to stay nested, `and` in `or`
        # for the reader: every nested connective is parenthesised.
        parts.append(f"({text})" if isinstance(item, And | Or) else text)
    return joiner.join(parts)


def _order_item(item: OrderItem) -> str:
    return f"{word(item.field)} {item.direction}"


def render(query: Query) -> str:
    """The canonical text of a query (without its entity, which the caller knows)."""
    if depth(query.where) > MAX_RENDER_DEPTH:
        raise QueryError(_t("the query is nested too deeply to be shown as text"))
    parts = []
    if query.where is not None:
        parts.append(render_condition(query.where))
    if query.order_by:
        parts.append("order by " + ", ".join(_order_item(item) for item in query.order_by))
    if query.group_by is not None:
        parts.append("group by " + word(query.group_by))
    return " ".join(parts)
