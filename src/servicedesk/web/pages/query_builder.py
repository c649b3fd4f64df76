"""The filter builder: rows of field / operator / value, and the query model of the tickets API.

The builder and the query bar are two views of one query. Rows become the model the tickets
service renders to text (`POST /api/v1/query/render`); text comes back as rows from the model
`POST /api/v1/query/parse` answers. Only flat queries fit in rows: comparisons joined all by
`and` or all by `or`; anything deeper stays in the text.

The service checks everything (fields, operators, values); the table here only offers the
operators that fit a field. It mirrors docs/query-language.md, "Fields" (incidents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_EQUALITY = ("=", "!=", "in", "not in")
_ORDERED = ("=", "!=", "<", "<=", ">", ">=")
_RANKED = (*_ORDERED, "in", "not in")
_NAMES = ("=", "!=", "~", "in", "not in")
_EMPTY = ("is", "is not")

OPERATORS_OF: dict[str, tuple[str, ...]] = {
    "text": ("~",),
    "status": _EQUALITY,
    "priority": _RANKED,
    "assignee": (*_NAMES, *_EMPTY),
    "group": (*_NAMES, *_EMPTY),
    "category": _EQUALITY,
    "client": (*_NAMES, *_EMPTY),
    "order": (*_NAMES, *_EMPTY),
    "reporter": (*_NAMES, *_EMPTY),
    "title": _NAMES,
    "key": _RANKED,
    "impact": _RANKED,
    "urgency": _RANKED,
    "channel": _EQUALITY,
    "created": _ORDERED,
    "updated": _ORDERED,
    "resolved": (*_ORDERED, *_EMPTY),
    "sla_breached": ("=", "!="),
    "problem": (*_EQUALITY, *_EMPTY),
}
FIELDS = tuple(OPERATORS_OF)
ORDERABLE = tuple(f for f in FIELDS if f not in ("text", "sla_breached", "problem"))
# Operator → the end of its catalog key (incidents.op.<name>).
OPERATOR_NAMES = {
    "=": "eq",
    "!=": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
    "~": "contains",
    "in": "in",
    "not in": "not_in",
    "is": "is_empty",
    "is not": "is_not_empty",
}
LIST_OPERATORS = frozenset({"in", "not in"})
EMPTY_OPERATORS = frozenset(_EMPTY)
NUMBERED_FIELDS = frozenset({"key", "problem"})
FUNCTIONS = ("me", "my_groups", "now")
MAX_ROWS = 20

_RELATIVE = re.compile(r"^([+-]\d{1,5})([mhdw])$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$")
_FUNCTION = re.compile(r"^(me|my_groups|now)\(\)$", re.IGNORECASE)


class NotFlat(ValueError):
    """The query nests (parentheses, `not`, `and` mixed with `or`): edit it as text."""


@dataclass
class Row:
    field: str = ""
    op: str = "="
    value: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_OF.get(self.field, tuple(OPERATOR_NAMES))

    @property
    def needs_value(self) -> bool:
        return self.op not in EMPTY_OPERATORS


@dataclass
class Sort:
    field: str = ""
    direction: str = "asc"


@dataclass
class Builder:
    """What the builder form shows and posts."""

    join: str = "and"
    rows: list[Row] = field(default_factory=list)
    sorts: list[Sort] = field(default_factory=list)
    group_by: str = ""  # kept as it came from the text; the builder does not edit it

    @classmethod
    def empty(cls) -> Builder:
        return cls(rows=[Row(field="status", op="in")])


# --- form ⇄ builder -------------------------------------------------------------------------


def from_form(
    join: str,
    fields: list[str],
    ops: list[str],
    values: list[str],
    sort_fields: list[str],
    sort_directions: list[str],
    group_by: str = "",
) -> Builder:
    rows = []
    for index, name in enumerate(fields[:MAX_ROWS]):
        op = ops[index] if index < len(ops) else "="
        value = values[index] if index < len(values) else ""
        row = Row(field=name if name in OPERATORS_OF else "", op=op, value=value.strip())
        if row.field and row.op not in row.operators:
            row.op = row.operators[0]
        rows.append(row)
    sorts = []
    for index, name in enumerate(sort_fields[:MAX_ROWS]):
        direction = sort_directions[index] if index < len(sort_directions) else "asc"
        sorts.append(
            Sort(
                field=name if name in ORDERABLE else "",
                direction="desc" if direction == "desc" else "asc",
            )
        )
    return Builder(join="or" if join == "or" else "and", rows=rows, sorts=sorts, group_by=group_by)


def row_errors(builder: Builder) -> dict[int, str]:
    """Rows the service would refuse for want of a value: index → the catalog key of why."""
    return {
        index: "incidents.builder.value_required"
        for index, row in enumerate(builder.rows)
        if row.field and row.needs_value and not row.value
    }


# --- builder → model (for /api/v1/query/render) ---------------------------------------------


def split_list(text: str) -> list[str]:
    """`a, "b, c", d` → ["a", '"b, c"', "d"]: commas inside quotes do not split."""
    items, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            current.append(char)
            escaped = True
        elif char == '"':
            current.append(char)
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _unquoted(text: str) -> str | None:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return None


def scalar(text: str, field_name: str) -> dict[str, Any]:
    """One value as the model's JSON: a function, a relative or absolute date, a number (keys
    and problems), else text. A quoted value is always text."""
    quoted = _unquoted(text)
    if quoted is not None:
        return {"kind": "text", "value": quoted}
    function = _FUNCTION.match(text)
    if function:
        return {"kind": "function", "name": function.group(1).lower()}
    relative = _RELATIVE.match(text)
    if relative:
        return {"kind": "relative", "amount": int(relative.group(1)), "unit": relative.group(2)}
    day = _DATE.match(text)
    if day:
        time = f"{day.group(2)}{day.group(3) or ':00'}" if day.group(2) else None
        return {"kind": "date", "date": day.group(1), "time": time}
    if field_name in NUMBERED_FIELDS and text.isdigit() and len(text) <= 18:
        return {"kind": "number", "value": int(text)}
    return {"kind": "text", "value": text}


def _value(row: Row) -> dict[str, Any]:
    if row.op in EMPTY_OPERATORS:
        return {"kind": "empty"}
    if row.op in LIST_OPERATORS:
        function = _FUNCTION.match(row.value)
        if function:
            return {"kind": "function", "name": function.group(1).lower()}
        items = split_list(row.value) or [row.value]
        return {"kind": "list", "items": [scalar(item, row.field) for item in items]}
    return scalar(row.value, row.field)


def to_model(builder: Builder) -> dict[str, Any]:
    comparisons = [
        {"kind": "comparison", "field": row.field, "op": row.op, "value": _value(row)}
        for row in builder.rows
        if row.field
    ]
    where: dict[str, Any] | None
    if not comparisons:
        where = None
    elif len(comparisons) == 1:
        where = comparisons[0]
    else:
        where = {"kind": builder.join, "items": comparisons}
    return {
        "entity": "incident",
        "where": where,
        "order_by": [
            {"field": sort.field, "direction": sort.direction}
            for sort in builder.sorts
            if sort.field
        ],
        "group_by": builder.group_by or None,
    }


# --- model (from /api/v1/query/parse) → builder ---------------------------------------------


def _quoted_if_needed(text: str, in_list: bool) -> str:
    plain = text and not (in_list and ("," in text or '"' in text))
    needs = _unquoted(text) is not None or bool(
        _FUNCTION.match(text) or _RELATIVE.match(text) or _DATE.match(text)
    )
    if plain and not needs:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value_text(value: dict[str, Any], in_list: bool = False) -> str:
    kind = value.get("kind")
    if kind == "text":
        return _quoted_if_needed(str(value.get("value", "")), in_list)
    if kind == "number":
        return str(value.get("value", ""))
    if kind == "date":
        time = value.get("time")
        return f"{value.get('date')}T{time}" if time else str(value.get("date"))
    if kind == "relative":
        return f"{int(value.get('amount', 0)):+d}{value.get('unit', 'd')}"
    if kind == "function":
        return f"{value.get('name')}()"
    if kind == "list":
        return ", ".join(value_text(item, in_list=True) for item in value.get("items", []))
    return ""


def _row(node: dict[str, Any]) -> Row:
    if node.get("kind") != "comparison":
        raise NotFlat("nested conditions")
    return Row(
        field=str(node.get("field", "")),
        op=str(node.get("op", "=")),
        value=value_text(node.get("value") or {}),
    )


def from_model(model: dict[str, Any]) -> Builder:
    where = model.get("where")
    join, rows = "and", []
    if where is not None:
        if where.get("kind") in ("and", "or"):
            join = str(where["kind"])
            rows = [_row(item) for item in where.get("items", [])]
        else:
            rows = [_row(where)]
    if len(rows) > MAX_ROWS:
        raise NotFlat("too many conditions")
    sorts = [
        Sort(field=str(item.get("field", "")), direction=str(item.get("direction", "asc")))
        for item in model.get("order_by") or []
    ]
    return Builder(join=join, rows=rows, sorts=sorts, group_by=str(model.get("group_by") or ""))
