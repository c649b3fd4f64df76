"""The canonical text of a query, and the JSON the filter builder posts."""

from __future__ import annotations

import datetime as dt

import pytest

from servicedesk.tickets.query import (
    And,
    Comparison,
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
    Vocabulary,
    parse_query,
    render,
)

INCIDENTS = Vocabulary.default("incident")


def canonical(text: str) -> str:
    return render(parse_query(text, "incident", INCIDENTS))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'STATUS IN (New, "In progress") AND priority>=HIGH and assignee=ME() '
            "AND created>-7d ORDER  BY priority DESC, created",
            "status in (new, in_progress) and priority >= high and assignee = me() "
            "and created > -7d order by priority desc, created asc",
        ),
        ("title ~ 'x", "title ~ 'x"),
        ('title ~ "two words"', 'title ~ "two words"'),
        ('title ~ "say \\"hi\\""', 'title ~ "say \\"hi\\""'),
        ('title ~ "and"', 'title ~ "and"'),
        ('title ~ "123"', 'title ~ "123"'),
        ('title ~ "-7d"', 'title ~ "-7d"'),
        ("title ~ 100%", "title ~ 100%"),
        ("assignee = me", "assignee = me"),
        ("created > 2026-01-31T10:00:00", "created > 2026-01-31T10:00"),
        ("created > -0d", "created > +0d"),
        ("key = 007", "key = 7"),
        ("status = new or status = closed and assignee is empty",
         "status = new or (status = closed and assignee is empty)"),
        ("not (status = new or status = closed)", "not (status = new or status = closed)"),
        ("not not status = new", "not not status = new"),
        ("((status = new)) group by channel", "status = new group by channel"),
        ("", ""),
    ],
)  # fmt: skip
def test_canonical_text(text: str, expected: str) -> None:
    assert canonical(text) == expected
    assert canonical(expected) == expected  # a fixpoint


def test_render_of_every_value_kind() -> None:
    query = Query(
        entity="incident",
        where=And(
            items=(
                Comparison(field="key", op=">", value=Number(value=5)),
                Comparison(
                    field="created",
                    op=">=",
                    value=DateValue(date=dt.date(2026, 1, 31), time=dt.time(10, 0, 5)),
                ),
                Comparison(field="created", op="<", value=RelativeDate(amount=2, unit="w")),
                Comparison(field="group", op="in", value=Function(name="my_groups")),
                Comparison(
                    field="client",
                    op="not in",
                    value=ListValue(items=(Text(value="CL-1"), Text(value="Рога и копыта"))),
                ),
                Comparison(field="problem", op="is not", value=Empty()),
                Not(item=Or(items=(
                    Comparison(field="title", op="~", value=Text(value='a "b" \\ c')),
                    Comparison(field="sla_breached", op="=", value=Text(value="true")),
                ))),
            )
        ),
        order_by=(OrderItem(field="updated"),),
        group_by="client",
    )  # fmt: skip
    text = render(query)
    assert text == (
        "key > 5 and created >= 2026-01-31T10:00:05 and created < +2w "
        'and group in my_groups() and client not in (CL-1, "Рога и копыта") '
        'and problem is not empty and not (title ~ "a \\"b\\" \\\\ c" or sla_breached = true) '
        "order by updated asc group by client"
    )
    assert parse_query(text, "incident", INCIDENTS) == query


def test_json_shape_for_the_filter_builder() -> None:
    query = parse_query(
        "status = new and not assignee is empty order by created desc", "incident", INCIDENTS
    )
    assert query.model_dump(mode="json") == {
        "entity": "incident",
        "where": {
            "kind": "and",
            "items": [
                {
                    "kind": "comparison",
                    "field": "status",
                    "op": "=",
                    "value": {"kind": "text", "value": "new"},
                },
                {
                    "kind": "not",
                    "item": {
                        "kind": "comparison",
                        "field": "assignee",
                        "op": "is",
                        "value": {"kind": "empty"},
                    },
                },
            ],
        },
        "order_by": [{"field": "created", "direction": "desc"}],
        "group_by": None,
    }
    assert Query.model_validate_json(query.model_dump_json()) == query


@pytest.mark.parametrize(
    "bad",
    [
        {"entity": "incident", "where": {"kind": "and", "items": []}},
        {"entity": "incident", "where": {"kind": "comparison", "field": "a", "op": "=",
                                          "value": {"kind": "empty"}}},
        {"entity": "incident", "where": {"kind": "comparison", "field": "a", "op": "in",
                                          "value": {"kind": "text", "value": "x"}}},
        {"entity": "incident", "where": {"kind": "comparison", "field": "a", "op": "=",
                                          "value": {"kind": "text", "value": "nul\u0000"}}},
        {"entity": "task"},
    ],
)  # fmt: skip
def test_structurally_invalid_json_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError
        Query.model_validate(bad)
