"""Model to SQL: a SQLAlchemy `Select` over incidents or problems. Only expressions built by
SQLAlchemy: every value from the query is a bound parameter, never text in the statement.

Logic is two-valued, as people read it: `assignee != bob` and `not assignee = bob` both match
the unassigned incidents too (a negation is `(...) IS NOT true`, so NULL counts as false).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, true

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.policy import LEVELS
from servicedesk.tickets.problems.models import Problem
from servicedesk.tickets.query.columns import INVERTED_SORT, QueryContext, Table, interval, table
from servicedesk.tickets.query.errors import QueryError
from servicedesk.tickets.query.fields import KEY_PREFIX, FieldSpec, Kind, field_spec
from servicedesk.tickets.query.model import (
    And,
    Comparison,
    Condition,
    Function,
    ListValue,
    Not,
    Number,
    Operator,
    OrderItem,
    Query,
    Scalar,
    Text,
    Value,
    depth,
)
from servicedesk.tickets.query.values import key_number

MAX_DEPTH = 100
DEFAULT_ORDER = (OrderItem(field="created", direction="desc"),)
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def compile_query(query: Query, context: QueryContext) -> Select[Any]:
    """`select(Incident)` or `select(Problem)`: the query's conditions and order (the default
    is newest first), the id last as a tiebreaker. `group_by` is ignored here."""
    compiler = _Compiler(query, context)
    statement = select(compiler.table.model).where(*compiler.filters())
    return statement.order_by(*compiler.ordering())


def compile_grouped(query: Query, context: QueryContext) -> Select[Any]:
    """Rows (value, count) of the query's matches per value of its `group by` field, the
    largest groups first; the empty value (no assignee...) is a group of its own."""
    if query.group_by is None:
        raise QueryError(_t("the query has no group by"))
    compiler = _Compiler(query, context)
    column = compiler.table.groups.get(query.group_by)
    if column is None:
        raise QueryError(
            _t('cannot group {entity}s by "{field}"', entity=query.entity, field=query.group_by)
        )
    count = func.count()
    return (
        select(column.label("value"), count.label("count"))
        .select_from(compiler.table.model)
        .where(*compiler.filters())
        .group_by(column)
        .order_by(count.desc(), column.asc().nulls_last())
    )


def _negate(condition: Any) -> Any:
    return condition.is_not(true())


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _Compiler:
    def __init__(self, query: Query, context: QueryContext) -> None:
        self.query = query
        self.context = context
        self.table: Table = table(query.entity)

    def filters(self) -> list[Any]:
        found = []
        where = self.query.where
        if where is not None:
            if depth(where) > MAX_DEPTH:
                raise QueryError(_t("the query is nested too deeply"))
            found.append(self.condition(where))
        subject = self.context.reporter_only_subject
        if subject is not None:
            own = Incident.reporter_id == subject if self.query.entity == "incident" else false()
            found.append(own)
        return found

    def condition(self, node: Condition) -> Any:
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, Not):
            return _negate(self.condition(node.item))
        parts = [self.condition(item) for item in node.items]
        return and_(*parts) if isinstance(node, And) else or_(*parts)

    def comparison(self, node: Comparison) -> Any:
        spec = field_spec(self.query.entity, node.field)
        if spec is None or node.op not in spec.operators:
            raise QueryError(
                _t(
                    'cannot compile "{field} {op}" for {entity}s',
                    field=node.field,
                    op=node.op,
                    entity=self.query.entity,
                )
            )
        if node.op in ("is", "is not"):
            column = self.table.column(spec.name)
            return column.is_(None) if node.op == "is" else column.is_not(None)
        if node.op in ("!=", "not in"):
            return _negate(self.compare(spec, "=" if node.op == "!=" else "in", node.value))
        return self.compare(spec, node.op, node.value)

    # ---- values ----------------------------------------------------------------------------

    def items(self, value: Value) -> list[Scalar]:
        if isinstance(value, ListValue):
            return list(value.items)
        if isinstance(value, Function) and value.name == "my_groups":
            return [Text(value=group) for group in self.context.groups]
        return [value]  # type: ignore[list-item]

    def text(self, value: Scalar) -> str:
        if isinstance(value, Text):
            return value.value
        if isinstance(value, Number):
            return str(value.value)
        if isinstance(value, Function) and value.name == "me":
            return self.context.username
        raise QueryError(_t("expected text, got {kind}", kind=value.kind))

    def number(self, value: Scalar, prefix: str) -> int:
        if isinstance(value, Number):
            return value.value
        number = key_number(value.value, prefix) if isinstance(value, Text) else None
        if number is None:
            raise QueryError(_t("expected a key like {prefix}-000123", prefix=prefix))
        return number

    # ---- comparisons -----------------------------------------------------------------------

    def compare(self, spec: FieldSpec, op: Operator, value: Value) -> Any:
        kind, values = spec.kind, self.items(value)
        if not values:  # my_groups() of someone in no group
            return false()
        if kind is Kind.FULLTEXT:
            return self.fulltext(self.text(values[0]))
        if kind is Kind.BOOL:
            return self.breached(self.text(values[0]))
        if kind is Kind.TIME:
            return self.time(self.table.column(spec.name), op, values[0])
        if kind is Kind.PROBLEM:
            numbers = [self.number(v, KEY_PREFIX["problem"]) for v in values]
            return Incident.problem_id.in_(select(Problem.id).where(Problem.number.in_(numbers)))
        column = self.table.column(spec.name)
        if kind is Kind.KEY:
            numbers = [self.number(v, KEY_PREFIX[self.query.entity]) for v in values]
            return self.ordered(column, op, numbers)
        texts = [self.text(v) for v in values]
        if op == "~":
            looked_in = self.table.contains[spec.name]
            return or_(*(c.ilike(like_pattern(texts[0]), escape="\\") for c in looked_in))
        if kind is Kind.RANKED and op in _FLIPPED:
            return self.ranked(spec.name, op, texts[0])
        if spec.name == "order" and self.query.entity == "incident":
            return or_(column.in_(texts), Incident.order_number.in_(texts))
        return self.ordered(column, op, texts)

    def ordered(self, column: Any, op: Operator, values: list[Any]) -> Any:
        if op == "in" or (op == "=" and len(values) != 1):
            return column.in_(values)
        comparators = {
            "=": column.__eq__,
            "<": column.__lt__,
            "<=": column.__le__,
            ">": column.__gt__,
            ">=": column.__ge__,
        }
        if op not in comparators:
            raise QueryError(_t('operator "{op}" does not apply here', op=op))
        return comparators[op](values[0])

    def ranked(self, field: str, op: Operator, value: str) -> Any:
        """`priority >= high`: high or more pressing, i.e. a rank of at most high's."""
        ordered = self.context.ranked() if field == "priority" else LEVELS
        if value not in ordered:
            raise QueryError(_t('unknown {field} "{value}"', field=field, value=value))
        rank = ordered.index(value) + 1
        if field == "priority":
            rank_column = self.table.model.priority_rank
            return self.ordered(rank_column, _FLIPPED[op], [rank])  # type: ignore[arg-type]
        wanted = {
            ">": ordered[: rank - 1],
            ">=": ordered[:rank],
            "<": ordered[rank:],
            "<=": ordered[rank - 1 :],
        }[op]
        return self.table.column(field).in_(wanted)

    def time(self, column: Any, op: Operator, value: Scalar) -> Any:
        start, end = interval(value, self.context)
        if end is None:
            return self.ordered(column, op, [start])
        return {
            "=": and_(column >= start, column < end),
            "<": column < start,
            "<=": column < end,
            ">": column >= end,
            ">=": column >= start,
        }[op]

    def breached(self, value: str) -> Any:
        model = self.table.model
        if value not in ("true", "false") or model is not Incident:
            raise QueryError(_t("sla_breached is true or false"))
        breached = or_(
            Incident.response_breached_at.is_not(None),
            Incident.resolution_breached_at.is_not(None),
        )
        return breached if value == "true" else _negate(breached)

    def fulltext(self, words: str) -> Any:
        wanted = func.tickets.text_query(words)
        if self.query.entity == "problem":
            document = func.tickets.document_vector(Problem.title, Problem.description)
            return document.bool_op("@@")(wanted)
        notes = Incident.notes_vector
        if self.context.reporter_only_subject is not None:
            notes = Incident.public_notes_vector  # internal notes are not the reporter's
        return or_(Incident.search_vector.bool_op("@@")(wanted), notes.bool_op("@@")(wanted))

    # ---- order -----------------------------------------------------------------------------

    def ordering(self) -> list[Any]:
        clauses = []
        descending = True
        for item in self.query.order_by or DEFAULT_ORDER:
            spec = field_spec(self.query.entity, item.field)
            key = self.table.sort_keys.get(item.field)
            if spec is None or not spec.orderable or key is None:
                raise QueryError(
                    _t(
                        'cannot order {entity}s by "{field}"',
                        entity=self.query.entity,
                        field=item.field,
                    )
                )
            descending = (item.direction == "desc") != (item.field in INVERTED_SORT)
            clause = key.desc() if descending else key.asc()
            clauses.append(clause.nulls_last() if spec.nullable else clause)
        model = self.table.model
        clauses.append(model.id.desc() if descending else model.id.asc())
        return clauses
