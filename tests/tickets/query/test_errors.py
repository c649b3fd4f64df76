"""Every invalid query is a QueryError saying where, what, and what would do."""

from __future__ import annotations

import pytest

from servicedesk.tickets.query import (
    Comparison,
    Query,
    QueryError,
    Text,
    Vocabulary,
    check_query,
    parse_query,
)

INCIDENTS = Vocabulary.default("incident")


def error(text: str, entity: str = "incident") -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(text, entity, Vocabulary.default(entity))  # type: ignore[arg-type]
    return caught.value


def test_unknown_field_with_a_suggestion() -> None:
    e = error("prio = high")
    assert e.message == 'unknown field "prio" at column 1 — did you mean "priority"?'
    assert (e.line, e.column, e.position, e.length) == (1, 1, 0, 4)
    assert e.suggestions == ["priority"]
    assert str(e) == e.message


def test_one_spelling_of_sla_breached_suggested() -> None:
    e = error('"sla breached" = true')
    assert e.suggestions == ["sla_breached"]
    assert e.message.startswith('unknown field "sla breached" at column 1')


def test_unknown_field_without_a_close_one_lists_the_fields() -> None:
    e = error("status = new and zzz = 1")
    assert e.column == 18
    assert e.suggestions == []
    assert "known fields: key, title, status" in e.message


def test_field_of_the_other_entity() -> None:
    e = error("impact = high", "problem")
    assert e.message.startswith('field "impact" does not exist for problems at column 1')
    e = error("closed is empty")
    assert e.message.startswith('field "closed" does not exist for incidents')


def test_missing_operator_says_what_was_expected() -> None:
    e = error("priority high")
    assert e.message == (
        "expected an operator (=, !=, <, <=, >, >=, in, not in, ~, is) at column 10"
    )
    assert (e.position, e.length) == (9, 4)
    assert "=" in e.suggestions
    assert "not in" in e.suggestions


def test_operator_not_for_this_field() -> None:
    e = error("status ~ new")
    assert e.message == 'operator "~" does not apply to status at column 8; use =, !=, in, not in'
    assert e.suggestions == ["=", "!=", "in", "not in"]
    e = error("status is empty")
    assert e.message.startswith("status is never empty at column 8")
    assert e.length == len("is empty")
    assert error("text = printer").message.startswith('operator "=" does not apply to text')


def test_unknown_values_with_suggestions() -> None:
    e = error("status = neww")
    assert e.message == 'unknown status "neww" at column 10 — did you mean "new"?'
    assert (e.position, e.length) == (9, 4)
    assert error("priority >= hihg").suggestions == ["high"]
    assert error('status = "in progres"').suggestions == ["in_progress"]
    assert error("category = hardwar").suggestions == ["hardware"]
    e = error("channel = pigeon")
    assert e.suggestions == []
    assert e.message.endswith("known: web, telegram, esb, sms, email, api")
    assert error("sla_breached = yes").suggestions == ["true", "false"]


def test_unknown_function() -> None:
    e = error("assignee = mee()")
    assert e.message == 'unknown function "mee()" at column 12 — did you mean "me()"?'
    assert error("created > now").message.startswith('"now" is not a date at column 11')
    assert error("group = my_groups()").message.startswith("my_groups() is a list")
    assert error("assignee in me()").message.startswith('"in" takes a list like (a, b)')
    assert error("created > me()").message.startswith("me() does not apply to created")


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("(status = new", 'unbalanced parentheses: this "(" is never closed', 1),
        ("status = new)", 'unbalanced parentheses: this ")" closes nothing', 13),
        ("status in (new, closed", 'unbalanced parentheses: this "(" is never closed', 11),
        ("(status = new or (assignee = me())", 'this "(" is never closed', 1),
        ("status = new))", 'this ")" closes nothing', 13),
    ],
)
def test_unbalanced_parentheses(text: str, message: str, column: int) -> None:
    e = error(text)
    assert message in e.message
    assert e.column == column


def test_unterminated_string() -> None:
    e = error('title ~ "printer')
    assert e.message == 'unterminated string at column 9; close it with "'
    assert (e.position, e.length) == (8, 8)
    assert error(r'title ~ "a\qb"').message.startswith("unknown escape in a string at column 11")


def test_other_syntax_errors() -> None:
    assert error("status = ").message == "expected a value at column 9"
    assert error("status = new and").message == 'expected a field, not or "(" at column 17'
    assert error("status is").message == "expected empty or not empty at column 10"
    assert error("status not").message == "expected in at column 11"
    assert error("status in new").message.startswith(
        "expected a list like (a, b) or a function like my_groups() at column 11"
    )
    assert "quote a value of several words" in error("title ~ hello world").message
    assert '"in" is a keyword' in error("title ~ in").message
    assert error("status @ new").column == 8
    assert error("status = new ; drop").column == 14
    assert error("a != !").suggestions == ["!="]
    assert error("status = new order by").message == "expected a field at column 22"
    assert error("order by created created").message.startswith(
        'expected asc, desc, ",", group by or the end of the query at column 18'
    )


def test_lines_and_columns_on_later_lines() -> None:
    e = error("status = new\nand prio = high")
    assert (e.line, e.column, e.position) == (2, 5, 17)
    assert e.message.startswith('unknown field "prio" at line 2, column 5')


def test_values_out_of_range() -> None:
    assert error("created > 2026-02-30").message.startswith('"2026-02-30" is not a date')
    assert error("created > 1812-09-07").message.startswith('"1812-09-07" is out of range')
    assert error("key = PRB-1").message.startswith('"PRB-1" is not a key')
    assert error("title ~ " + '"' + "x" * 600 + '"').message.startswith("the value is too long")
    assert error('text ~ "?!"').message.startswith("nothing to search for")


def test_order_and_group_by_checked() -> None:
    assert error("order by text").message.startswith("cannot order by text at column 10")
    assert error("order by created, created").message.startswith("ordered by created twice")
    assert error("group by title").message.startswith("cannot group by title at column 10")
    assert error("order by prio").suggestions == ["priority"]


def test_length_and_nesting_are_capped() -> None:
    e = error("title ~ " + "x" * 2100)
    assert e.message.startswith("the query is too long (2108 characters, at most 2000)")
    assert e.position == 2000
    deep = "(" * 31 + "status = new" + ")" * 31
    assert error(deep).message.startswith("nested too deeply (at most 30 levels)")
    nots = "not " * 31 + "status = new"
    assert error(nots).message.startswith("nested too deeply")
    assert parse_query("(" * 30 + "status = new" + ")" * 30, "incident", INCIDENTS)


def test_check_query_checks_a_model_like_text() -> None:
    model = Query(
        entity="incident",
        where=Comparison(field="status", op="=", value=Text(value="В работе")),
    )
    assert check_query(model, INCIDENTS).where == Comparison(
        field="status", op="=", value=Text(value="in_progress")
    )
    wrong = Query(entity="incident", where=Comparison(field="prio", op="=", value=Text(value="x")))
    with pytest.raises(QueryError, match='unknown field "prio" at column 1'):
        check_query(wrong, INCIDENTS)


def test_as_dict_for_an_api_body() -> None:
    assert error("prio = high").as_dict() == {
        "message": 'unknown field "prio" at column 1 — did you mean "priority"?',
        "line": 1,
        "column": 1,
        "position": 0,
        "length": 4,
        "suggestions": ["priority"],
    }
