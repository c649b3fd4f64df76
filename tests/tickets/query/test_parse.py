"""Reading text into the model: every operator, value, precedence, canonical values."""

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
)

INCIDENTS = Vocabulary.default("incident")
PROBLEMS = Vocabulary.default("problem")


def where(text: str, entity: str = "incident") -> object:
    vocabulary = INCIDENTS if entity == "incident" else PROBLEMS
    return parse_query(text, entity, vocabulary).where  # type: ignore[arg-type]


def cmp(field: str, op: str, value: object) -> Comparison:
    return Comparison(field=field, op=op, value=value)  # type: ignore[arg-type]


def test_the_example_from_the_issue() -> None:
    query = parse_query(
        'status in (new, "in progress") and priority >= high and assignee = me() '
        "and created > -7d order by priority desc, created asc",
        "incident",
        INCIDENTS,
    )
    assert query == Query(
        entity="incident",
        where=And(
            items=(
                cmp(
                    "status", "in", ListValue(items=(Text(value="new"), Text(value="in_progress")))
                ),
                cmp("priority", ">=", Text(value="high")),
                cmp("assignee", "=", Function(name="me")),
                cmp("created", ">", RelativeDate(amount=-7, unit="d")),
            )
        ),
        order_by=(
            OrderItem(field="priority", direction="desc"),
            OrderItem(field="created", direction="asc"),
        ),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority = high", cmp("priority", "=", Text(value="high"))),
        ("priority != low", cmp("priority", "!=", Text(value="low"))),
        ("priority < high", cmp("priority", "<", Text(value="high"))),
        ("priority <= high", cmp("priority", "<=", Text(value="high"))),
        ("priority > medium", cmp("priority", ">", Text(value="medium"))),
        ("priority >= medium", cmp("priority", ">=", Text(value="medium"))),
        ("title ~ printer", cmp("title", "~", Text(value="printer"))),
        ("status in (new)", cmp("status", "in", ListValue(items=(Text(value="new"),)))),
        (
            "status not in (new, closed)",
            cmp("status", "not in", ListValue(items=(Text(value="new"), Text(value="closed")))),
        ),
        ("assignee is empty", cmp("assignee", "is", Empty())),
        ("assignee is not empty", cmp("assignee", "is not", Empty())),
        ("group in my_groups()", cmp("group", "in", Function(name="my_groups"))),
        ("created < now()", cmp("created", "<", Function(name="now"))),
        ("sla_breached = true", cmp("sla_breached", "=", Text(value="true"))),
        ("text ~ принтер", cmp("text", "~", Text(value="принтер"))),
        ("problem = PRB-000123", cmp("problem", "=", Text(value="PRB-000123"))),
        ("problem is empty", cmp("problem", "is", Empty())),
    ],
)
def test_operators(text: str, expected: Comparison) -> None:
    assert where(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('title ~ "two words"', Text(value="two words")),
        (r'title ~ "a \"quoted\" \\ back"', Text(value='a "quoted" \\ back')),
        ('title ~ ""', Text(value="")),
        ("title ~ 42", Text(value="42")),  # a number written for a text field is that text
        ("title ~ 2026-01-31", Text(value="2026-01-31")),
        ("order = 00123", Text(value="00123")),
        ("key = 123", Number(value=123)),
        ("key = inc-12", Text(value="INC-000012")),
        ("key = INC123", Text(value="INC-000123")),
        ('key = "77"', Text(value="INC-000077")),
        ("created > 2026-01-31", DateValue(date=dt.date(2026, 1, 31))),
        ("created > 2026-01-31T10:00", DateValue(date=dt.date(2026, 1, 31), time=dt.time(10))),
        (
            "created > 2026-01-31T10:00:30",
            DateValue(date=dt.date(2026, 1, 31), time=dt.time(10, 0, 30)),
        ),
        ("created > -12h", RelativeDate(amount=-12, unit="h")),
        ("created > -30m", RelativeDate(amount=-30, unit="m")),
        ("created < +1d", RelativeDate(amount=1, unit="d")),
        ("created > -2w", RelativeDate(amount=-2, unit="w")),
        ("assignee = ME()", Function(name="me")),
        ("assignee = ivan.petrov", Text(value="ivan.petrov")),
        ('client ~ "рога"', Text(value="рога")),
    ],
)
def test_values(text: str, value: object) -> None:
    comparison = where(text)
    assert isinstance(comparison, Comparison)
    assert comparison.value == value


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("status = in_progress", "in_progress"),
        ('status = "in progress"', "in_progress"),
        ('status = "In Progress"', "in_progress"),
        ('status = "В работе"', "in_progress"),
        ('status = "в работе"', "in_progress"),
        ("status = Решен", "resolved"),  # ё written as е
        ("status = NEW", "new"),
    ],
)
def test_status_by_id_or_label(text: str, status: str) -> None:
    assert where(text) == cmp("status", "=", Text(value=status))


def test_enums_are_canonical() -> None:
    assert where("category = Оборудование") == cmp("category", "=", Text(value="hardware"))
    assert where("channel = Telegram") == cmp("channel", "=", Text(value="telegram"))
    assert where("impact = HIGH") == cmp("impact", "=", Text(value="high"))
    assert where("status = investigating", "problem") == cmp(
        "status", "=", Text(value="investigating")
    )
    assert where('status = "Известная ошибка"', "problem") == cmp(
        "status", "=", Text(value="known_error")
    )


def test_precedence_not_over_and_over_or() -> None:
    a, b, c = (cmp("status", "=", Text(value=s)) for s in ("new", "resolved", "closed"))
    text = "status = new or status = resolved and not status = closed"
    assert where(text) == Or(items=(a, And(items=(b, Not(item=c)))))
    assert where("not status = new and status = resolved") == And(items=(Not(item=a), b))
    assert where("(status = new or status = resolved) and status = closed") == And(
        items=(Or(items=(a, b)), c)
    )
    assert where("not (status = new or status = resolved)") == Not(item=Or(items=(a, b)))


def test_chains_are_flat_and_parentheses_keep_structure() -> None:
    a, b, c = (cmp("status", "=", Text(value=s)) for s in ("new", "resolved", "closed"))
    assert where("status = new and status = resolved and status = closed") == And(items=(a, b, c))
    assert where("(status = new and status = resolved) and status = closed") == And(
        items=(And(items=(a, b)), c)
    )
    assert where("((status = new))") == a


def test_keywords_and_fields_in_any_case() -> None:
    query = parse_query(
        "Status = New AND NOT Assignee IS EMPTY ORDER BY Created DESC GROUP BY Priority",
        "incident",
        INCIDENTS,
    )
    assert query.where == And(
        items=(cmp("status", "=", Text(value="new")), Not(item=cmp("assignee", "is", Empty())))
    )
    assert query.order_by == (OrderItem(field="created", direction="desc"),)
    assert query.group_by == "priority"


def test_order_and_group_are_fields_too() -> None:
    query = parse_query("order = ORD-1 and group = L1 group by group", "incident", INCIDENTS)
    assert query.where == And(
        items=(cmp("order", "=", Text(value="ORD-1")), cmp("group", "=", Text(value="L1")))
    )
    assert query.group_by == "group"


def test_empty_query_and_clauses_alone() -> None:
    assert parse_query("", "incident", INCIDENTS) == Query(entity="incident")
    assert parse_query("  ", "problem", PROBLEMS) == Query(entity="problem")
    only_order = parse_query("order by key", "problem", PROBLEMS)
    assert only_order.order_by == (OrderItem(field="key", direction="asc"),)
    assert parse_query("group by status", "problem", PROBLEMS).group_by == "status"


def test_white_space_and_lines() -> None:
    assert where("status=new") == where("status = new")
    assert where("status\n=\tnew") == where("status = new")
    assert where("created>-7d") == cmp("created", ">", RelativeDate(amount=-7, unit="d"))


def test_problem_fields() -> None:
    assert where("closed is empty", "problem") == cmp("closed", "is", Empty())
    assert where("key = PRB-5", "problem") == cmp("key", "=", Text(value="PRB-000005"))
    assert where("text ~ vpn", "problem") == cmp("text", "~", Text(value="vpn"))
