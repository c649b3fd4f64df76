"""Properties: models round-trip through text; any string parses or fails as a QueryError;
what parses compiles to SQL holding no value of the user's."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from servicedesk.tickets.query import (
    FIELDS,
    Kind,
    Query,
    QueryContext,
    QueryError,
    Text,
    Vocabulary,
    check_query,
    compile_grouped,
    compile_query,
    complete,
    parse_query,
    render,
)
from servicedesk.tickets.query.compiler import like_pattern
from servicedesk.tickets.query.model import comparisons
from servicedesk.tickets.query.render import is_bare, quote, word
from tests.tickets.query.strategies import CHARACTERS, NASTY, TEXTUAL, any_query

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTEXT = QueryContext("o'brien", ("L1'; --",), dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
_PIECES = [
    *FIELDS["incident"],
    "closed", "prio", '"sla breached"', "=", "!=", "<", "<=", ">", ">=", "~", "in", "not", "is",
    "empty", "and", "or", "(", ")", ",", "order by", "group by", "asc", "desc", "me()",
    "my_groups()", "now()", "new", '"in progress"', '"В работе"', "high", "critical", "true",
    "-7d", "+1d", "2026-01-31", "2026-01-31T10:00", "2026-02-30", "INC-000001", "PRB-7", "42",
    '"', "'", "\\", "%", "_", ";", "--", "\x00", "\u202e", "ё", "!",
]  # fmt: skip
TOKEN_SOUP = st.lists(st.one_of(st.sampled_from(_PIECES), NASTY), max_size=12).map(" ".join)
_VALUES = st.one_of(
    TEXTUAL.map(quote),
    TEXTUAL.filter(is_bare),
    st.sampled_from(["new", "high", "me()", "-7d", "2026-01-31", "true", "INC-1", "PRB-2"]),
    st.sampled_from(["(new, closed)", "my_groups()", "empty", "not empty", '("a", b)']),
)
_ANY_CLAUSE = st.tuples(
    st.sampled_from([*FIELDS["incident"], "closed"]),
    st.sampled_from(["=", "!=", "<", ">=", "~", "in", "not in", "is"]),
    _VALUES,
).map(" ".join)
_TEXT_FIELDS = st.sampled_from(["title", "assignee", "reporter", "group", "client", "order"])
_TEXT_CLAUSE = st.tuples(_TEXT_FIELDS, st.sampled_from(["=", "!=", "~"]), TEXTUAL.map(word))
_TEXT_LIST = st.lists(TEXTUAL.map(word), min_size=1, max_size=3).map(", ".join)
_LIST_CLAUSE = st.tuples(_TEXT_FIELDS, st.sampled_from(["in", "not in"]), _TEXT_LIST)
_KNOWN_CLAUSE = st.sampled_from(
    [
        "status = new",
        "priority >= high",
        "created > -7d",
        'status in (new, "В работе")',
        "assignee is empty",
        "sla_breached = true",
        "group in my_groups()",
        "text ~ принтер",
    ]
)
_CLAUSES = st.one_of(
    _ANY_CLAUSE,
    _TEXT_CLAUSE.map(" ".join),
    _LIST_CLAUSE.map(lambda c: f"{c[0]} {c[1]} ({c[2]})"),
    _KNOWN_CLAUSE,
)


@st.composite
def _shaped(draw: st.DrawFn) -> str:
    """Comparisons joined by connectives: texts near the grammar, often valid."""
    clauses = draw(st.lists(_CLAUSES, min_size=1, max_size=4))
    text = clauses[0]
    for clause in clauses[1:]:
        text += draw(st.sampled_from([" and ", " or ", " and not ", " or not "])) + clause
    if draw(st.booleans()):
        text = f"not ({text})"
    return text + draw(st.sampled_from(["", " order by created desc", " group by status"]))


ANY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(CHARACTERS | st.sampled_from('()"\\,=<>!~'), max_size=60),
    TOKEN_SOUP,
    _shaped(),
)


@FAST
@given(any_query())
def test_models_round_trip_through_text(query: Query) -> None:
    text = render(query)
    back = parse_query(text, query.entity, Vocabulary.default(query.entity))
    assert back == query
    assert render(back) == text
    assert check_query(query, Vocabulary.default(query.entity)) == query
    assert Query.model_validate_json(query.model_dump_json()) == query


_AS_GIVEN = frozenset({Kind.TEXT, Kind.USER, Kind.GROUP, Kind.REF, Kind.FULLTEXT, Kind.ENUM})


def _user_texts(query: Query) -> list[str]:
    """Texts that reach the statement as they are (or as a LIKE pattern)."""
    found = []
    for comparison in comparisons(query.where):
        spec = FIELDS[query.entity][comparison.field]
        if spec.kind in _AS_GIVEN:
            items = getattr(comparison.value, "items", (comparison.value,))
            found += [item.value for item in items if isinstance(item, Text)]
    return found


def _flat(values: object) -> list[object]:
    if isinstance(values, list | tuple):
        return [v for item in values for v in _flat(item)]
    return [values]


def _assert_bound(statement: object, query: Query) -> None:
    compiled = statement.compile(dialect=postgresql.dialect())  # type: ignore[attr-defined]
    sql = str(compiled).replace("ESCAPE '\\'", "")
    assert "'" not in sql, sql  # no literal at all: every value is a parameter
    params = _flat(list(compiled.params.values()))
    for value in _user_texts(query):
        assert value in params or like_pattern(value) in params, (value, params)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT, st.sampled_from(["incident", "problem"]))
def test_any_text_parses_or_is_a_query_error(text: str, entity: str) -> None:
    vocabulary = Vocabulary.default(entity)  # type: ignore[arg-type]
    try:
        query = parse_query(text, entity, vocabulary)  # type: ignore[arg-type]
    except QueryError as caught:
        error: QueryError | None = caught
    else:
        error = None
    if error is not None:
        assert error.message
        assert 0 <= error.position <= len(text)
        assert error.line >= 1
        assert error.column >= 1
    else:
        assert parse_query(render(query), query.entity, vocabulary) == query
        _assert_bound(compile_query(query, CONTEXT), query)
        if query.group_by is not None:
            _assert_bound(compile_grouped(query, CONTEXT), query)
    for cursor in (0, len(text) // 2, len(text)):
        complete(text, cursor, entity, vocabulary)  # type: ignore[arg-type]


@FAST
@given(any_query())
def test_valid_models_compile_with_bound_values(query: Query) -> None:
    _assert_bound(compile_query(query, CONTEXT), query)
    if query.group_by is not None:
        _assert_bound(compile_grouped(query, CONTEXT), query)
