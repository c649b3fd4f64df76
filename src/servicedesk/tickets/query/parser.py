"""Text to model: the parse tree read into a `Query`, every field, operator and value checked
against the entity's fields and the vocabulary, values brought to their canonical form."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from typing import NoReturn

from lark import Token, Tree
from pydantic import ValidationError

from servicedesk.kernel.i18n import _t, current_language
from servicedesk.kernel.i18n.validation import reason
from servicedesk.tickets.query.errors import QueryError
from servicedesk.tickets.query.fields import FIELDS, FieldSpec, Kind
from servicedesk.tickets.query.model import (
    FUNCTIONS,
    MAX_LIST,
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    And,
    Comparison,
    Condition,
    DateValue,
    Empty,
    Entity,
    Function,
    ListValue,
    Not,
    Number,
    Operator,
    Or,
    OrderItem,
    Query,
    RelativeDate,
    Scalar,
    Text,
    depth,
)
from servicedesk.tickets.query.render import render
from servicedesk.tickets.query.syntax import MAX_LENGTH, syntax_tree
from servicedesk.tickets.query.values import Span, ValueProblem, canonical
from servicedesk.tickets.query.vocabulary import Vocabulary

MAX_NESTING = 30
_ESCAPE = re.compile(r"\\([\"\\])")
_SEPARATORS = frozenset({"LPAR", "RPAR", "COMMA"})


def parse_query(text: str, entity: Entity, vocabulary: Vocabulary) -> Query:
    """The query the text says, checked and canonical; a QueryError for anything invalid."""
    if not isinstance(text, str):
        raise QueryError(_t("the query must be text"))
    if entity not in FIELDS:
        raise QueryError(_t('unknown entity "{entity}"', entity=entity))
    if len(text) > MAX_LENGTH:
        problem = _t(
            "the query is too long ({length} characters, at most {max_length})",
            length=len(text),
            max_length=MAX_LENGTH,
        )
        raise QueryError.at(text, MAX_LENGTH, len(text) - MAX_LENGTH, problem)
    tree = syntax_tree(text)
    try:
        return _Reader(text, entity, vocabulary).query(tree)
    except ValidationError as exc:
        said = reason(exc.errors()[0], current_language())
        raise QueryError(_t("invalid query: {reason}", reason=said)) from None
    except RecursionError:
        raise QueryError(_t("the query is nested too deeply")) from None


def check_query(query: Query, vocabulary: Vocabulary) -> Query:
    """A model from elsewhere (the filter builder's JSON) checked exactly as text is: rendered
    and read back. Positions in a QueryError refer to `render(query)`."""
    if depth(query.where) > MAX_NESTING:
        raise QueryError(
            _t(
                "the query is nested too deeply (at most {max_nesting} levels)",
                max_nesting=MAX_NESTING,
            )
        )
    return parse_query(render(query), query.entity, vocabulary)


def _unquote(token: Token) -> str:
    value = str(token.value)
    return _ESCAPE.sub(r"\1", value[1:-1]) if token.type == "STRING" else value


class _Reader:
    def __init__(self, text: str, entity: Entity, vocabulary: Vocabulary) -> None:
        self.text = text
        self.entity = entity
        self.vocabulary = vocabulary
        self.fields = FIELDS[entity]

    def fail(
        self,
        span: Span,
        problem: str,
        *,
        suggestions: Sequence[str] = (),
        hint: str | None = None,
        mention: bool = True,
    ) -> NoReturn:
        raise QueryError.at(
            self.text,
            span.start,
            span.length,
            problem,
            suggestions=suggestions,
            hint=hint,
            mention=mention,
        )

    def span(self, node: Tree[Token] | Token) -> Span:
        if isinstance(node, Token):
            start = node.start_pos or 0
            return Span(start, (node.end_pos or start) - start)
        meta = node.meta
        start = getattr(meta, "start_pos", 0)
        return Span(start, getattr(meta, "end_pos", start) - start)

    def query(self, tree: Tree[Token]) -> Query:
        where, order, group = [*tree.children, None, None, None][:3]
        return Query(
            entity=self.entity,
            where=None if not isinstance(where, Tree) else self.condition(where, 0),
            order_by=self.order(order) if isinstance(order, Tree) else (),
            group_by=self.group(group) if isinstance(group, Tree) else None,
        )

    # ---- conditions ------------------------------------------------------------------------

    def condition(self, node: Tree[Token], nesting: int) -> Condition:
        kind = str(node.data)
        if kind in ("or_expr", "and_expr"):
            items = tuple(self.condition(c, nesting) for c in node.children if isinstance(c, Tree))
            return Or(items=items) if kind == "or_expr" else And(items=items)
        if kind in ("negation", "parens"):
            if nesting >= MAX_NESTING:
                problem = _t(
                    "nested too deeply (at most {max_nesting} levels)", max_nesting=MAX_NESTING
                )
                self.fail(self.span(node), problem)
            inner = next(c for c in node.children if isinstance(c, Tree))
            item = self.condition(inner, nesting + 1)
            return Not(item=item) if kind == "negation" else item
        return self.comparison(node)

    def comparison(self, node: Tree[Token]) -> Comparison:
        kind = str(node.data)
        field_node = node.children[0]
        assert isinstance(field_node, Tree)
        spec = self.field(field_node)
        rest = node.children[1:]
        if kind == "compare":
            op_node, value_node = rest
            assert isinstance(op_node, Tree)
            op_token = op_node.children[0]
            assert isinstance(op_token, Token)
            op: Operator = str(op_token.value)  # type: ignore[assignment]
            self.allow(spec, op, self.span(op_token))
            return Comparison(field=spec.name, op=op, value=self.scalar(spec, op, value_node))
        op_tokens = [t for t in rest if isinstance(t, Token)]
        start = self.span(op_tokens[0]).start
        op_span = Span(start, self.span(op_tokens[-1]).end - start)
        if kind in ("is_empty", "is_not_empty"):
            op = "is" if kind == "is_empty" else "is not"
            self.allow(spec, op, op_span)
            return Comparison(field=spec.name, op=op, value=Empty())
        op = "in" if kind == "in_" else "not in"
        self.allow(spec, op, op_span)
        value = rest[-1]
        assert isinstance(value, Tree)
        return Comparison(field=spec.name, op=op, value=self.in_value(spec, op, value))

    def field(self, node: Tree[Token]) -> FieldSpec:
        token = node.children[0]
        assert isinstance(token, Token)
        name = _unquote(token)
        spec = self.fields.get(name.casefold())
        if spec is None:
            close = difflib.get_close_matches(name.casefold(), list(self.fields), n=3, cutoff=0.6)
            problem = _t('unknown field "{name}"', name=name)
            if any(name.casefold() in fields for fields in FIELDS.values()):
                problem = _t(
                    'field "{name}" does not exist for {entity}s', name=name, entity=self.entity
                )
            hint = _t("known fields: {fields}", fields=", ".join(self.fields))
            self.fail(self.span(token), problem, suggestions=close, hint=hint)
        return spec

    def allow(self, spec: FieldSpec, op: Operator, span: Span) -> None:
        if op in spec.operators:
            return
        allowed = ", ".join(spec.operators)
        if op in ("is", "is not"):
            problem = _t("{field} is never empty", field=spec.name)
        else:
            problem = _t('operator "{op}" does not apply to {field}', op=op, field=spec.name)
        hint = _t("use {operators}", operators=allowed)
        self.fail(span, problem, suggestions=spec.operators, hint=hint, mention=False)

    # ---- values ----------------------------------------------------------------------------

    def raw(self, node: Tree[Token] | Token) -> tuple[Scalar, Span]:
        """A scalar as written, not yet checked against the field."""
        span = self.span(node)
        if isinstance(node, Tree):  # a function
            name_token = node.children[0]
            assert isinstance(name_token, Token)
            name = str(name_token.value).casefold()
            if name not in FUNCTIONS:
                close = difflib.get_close_matches(name, FUNCTIONS, n=3, cutoff=0.5)
                listing = ", ".join(f"{f}()" for f in FUNCTIONS)
                known = _t("known functions: {functions}", functions=listing)
                problem = _t('unknown function "{name}()"', name=str(name_token))
                self.fail(span, problem, suggestions=[f"{f}()" for f in close], hint=known)
            return Function(name=name), span
        value = str(node.value)
        try:
            if node.type == "NUMBER":
                return Number(value=int(value)), span
            if node.type == "DATE":
                day, _, clock = value.partition("T")
                time = dt.time.fromisoformat(clock) if clock else None
                return DateValue(date=dt.date.fromisoformat(day), time=time), span
            if node.type == "RELDATE":
                return RelativeDate(amount=int(value[:-1]), unit=value[-1]), span
            return Text(value=_unquote(node)), span
        except ValidationError:
            if node.type == "DATE":
                hint = _t(
                    "years go from {min_year} to {max_year}", min_year=MIN_YEAR, max_year=MAX_YEAR
                )
                self.fail(span, _t('"{value}" is out of range', value=value), hint=hint)
            too_long = _t(
                "the value is too long (at most {max_text} characters)", max_text=MAX_TEXT
            )
            self.fail(span, too_long)
        except ValueError:
            hint = _t("write 2026-01-31 or 2026-01-31T10:00")
            self.fail(span, _t('"{value}" is not a date', value=value), hint=hint)

    def scalar(self, spec: FieldSpec, op: Operator, node: Tree[Token] | Token) -> Scalar:
        value, span = self.raw(node)
        if isinstance(value, Function) and value.name == "my_groups":
            hint = _t("write {field} in my_groups()", field=spec.name)
            self.fail(span, _t("my_groups() is a list"), hint=hint)
        return self.checked(spec, op, value, span)

    def in_value(self, spec: FieldSpec, op: Operator, node: Tree[Token]) -> ListValue | Function:
        if str(node.data) == "function":
            value, span = self.raw(node)
            assert isinstance(value, Function)
            if spec.kind is Kind.GROUP and value.name == "my_groups":
                return value
            problem = _t('"{op}" takes a list like (a, b)', op=op)
            self.fail(span, problem, hint=_t("or use = with {function}()", function=value.name))
        items = [c for c in node.children if not (isinstance(c, Token) and c.type in _SEPARATORS)]
        if len(items) > MAX_LIST:
            problem = _t("a list holds at most {max_list} values", max_list=MAX_LIST)
            self.fail(self.span(node), problem)
        return ListValue(items=tuple(self.scalar(spec, op, item) for item in items))

    def checked(self, spec: FieldSpec, op: Operator, value: Scalar, span: Span) -> Scalar:
        raw = value.value if isinstance(value, Text) else self.text[span.start : span.end]
        try:
            return canonical(spec, op, value, raw, self.entity, self.vocabulary)
        except ValueProblem as problem:
            self.fail(span, problem.problem, suggestions=problem.suggestions, hint=problem.hint)

    # ---- order by, group by ----------------------------------------------------------------

    def order(self, node: Tree[Token]) -> tuple[OrderItem, ...]:
        items: list[OrderItem] = []
        for item in node.children:
            if not isinstance(item, Tree):
                continue
            field_node, direction = [*item.children, None][:2]
            assert isinstance(field_node, Tree)
            spec = self.field(field_node)
            span = self.span(field_node)
            if not spec.orderable:
                options = [f.name for f in self.fields.values() if f.orderable]
                hint = _t("order by {fields}", fields=", ".join(options))
                self.fail(span, _t("cannot order by {name}", name=spec.name), hint=hint)
            if any(i.field == spec.name for i in items):
                self.fail(span, _t("ordered by {name} twice", name=spec.name))
            way = "asc"
            if isinstance(direction, Tree):
                way = str(direction.children[0]).casefold()
            items.append(OrderItem(field=spec.name, direction=way))
        return tuple(items)

    def group(self, node: Tree[Token]) -> str:
        field_node = node.children[-1]
        assert isinstance(field_node, Tree)
        spec = self.field(field_node)
        if not spec.groupable:
            options = [f.name for f in self.fields.values() if f.groupable]
            self.fail(
                self.span(field_node),
                _t("cannot group by {name}", name=spec.name),
                hint=_t("group by {fields}", fields=", ".join(options)),
            )
        return spec.name
