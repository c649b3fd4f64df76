"""The SQL a query compiles to (no database here: see test_database.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from servicedesk.tickets.query import (
    Comparison,
    OrderItem,
    Query,
    QueryContext,
    QueryError,
    Text,
    Vocabulary,
    compile_grouped,
    compile_query,
    parse_query,
)

MSK = dt.timezone(dt.timedelta(hours=3))
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=MSK)
AGENT = QueryContext("agent1", ("L1", "L2"), NOW)
_CASTS = re.compile(r"::(?:TIMESTAMP WITH TIME ZONE|[A-Z]+)")


def compiled(text: str, entity: str = "incident", context: QueryContext = AGENT) -> Any:
    query = parse_query(text, entity, Vocabulary.default(entity))  # type: ignore[arg-type]
    return compile_query(query, context).compile(dialect=postgresql.dialect())


def where_sql(text: str, **options: Any) -> tuple[str, list[Any]]:
    result = compiled(text, **options)
    sql = _CASTS.sub("", str(result)).split("WHERE", 1)[-1].split("ORDER BY", 1)[0]
    return " ".join(sql.split()), list(result.params.values())


def order_sql(text: str, entity: str = "incident") -> str:
    return " ".join(str(compiled(text, entity)).split("ORDER BY", 1)[1].split())


def test_priority_compares_by_rank() -> None:
    sql, params = where_sql("priority >= high")
    assert sql == "tickets.incidents.priority_rank <= %(priority_rank_1)s"
    assert params == [2]
    assert where_sql("priority > high") == (
        "tickets.incidents.priority_rank < %(priority_rank_1)s",
        [2],
    )
    assert where_sql("priority < high")[0].startswith("tickets.incidents.priority_rank >")
    assert where_sql("priority <= low", entity="problem") == (
        "tickets.problems.priority_rank >= %(priority_rank_1)s",
        [4],
    )
    assert where_sql("priority = high") == ("tickets.incidents.priority = %(priority_1)s", ["high"])


def test_impact_and_urgency_compare_by_level() -> None:
    sql, params = where_sql("impact >= medium")
    assert "tickets.incidents.impact IN" in sql
    assert params == [["high", "medium"]]
    assert where_sql("urgency < medium")[1] == [["low"]]


def test_negations_count_empty_as_not_equal() -> None:
    assert where_sql("assignee != me()") == (
        "(tickets.incidents.assignee_username = %(assignee_username_1)s) IS NOT true",
        ["agent1"],
    )
    assert where_sql("not assignee = me()") == where_sql("assignee != me()")
    sql, _ = where_sql("status not in (new, closed)")
    assert sql.startswith("(tickets.incidents.status IN")
    assert sql.endswith("IS NOT true")
    assert (
        where_sql("assignee is not empty")[0] == "tickets.incidents.assignee_username IS NOT NULL"
    )


def test_functions_come_from_the_context() -> None:
    assert where_sql("group in my_groups()")[1] == [["L1", "L2"]]
    nobody = QueryContext("x", (), NOW)
    assert where_sql("group in my_groups()", context=nobody)[0] == "false"
    assert where_sql("group not in my_groups()", context=nobody)[0] == "false IS NOT true"
    assert where_sql("created < now()")[1] == [NOW]
    assert where_sql("reporter in (me(), bob)")[1] == [["agent1", "bob"]]


def test_dates_are_days_minutes_or_instants_in_the_context_zone() -> None:
    day = dt.datetime(2026, 1, 31, tzinfo=MSK)
    sql, params = where_sql("created = 2026-01-31")
    assert sql == (
        "tickets.incidents.created_at >= %(created_at_1)s "
        "AND tickets.incidents.created_at < %(created_at_2)s"
    )
    assert params == [day, day + dt.timedelta(days=1)]
    assert where_sql("created > 2026-01-31") == (
        "tickets.incidents.created_at >= %(created_at_1)s",
        [day + dt.timedelta(days=1)],
    )
    assert where_sql("created <= 2026-01-31T10:00")[1] == [day + dt.timedelta(hours=10, minutes=1)]
    assert where_sql("created > -7d")[1] == [NOW - dt.timedelta(days=7)]
    assert where_sql("updated < +2w")[1] == [NOW + dt.timedelta(weeks=2)]
    naive = QueryContext("x", (), dt.datetime(2026, 3, 1, 12))
    assert where_sql("created = 2026-01-31", context=naive)[1][0].tzinfo is dt.UTC


def test_contains_escapes_like_wildcards() -> None:
    sql, params = where_sql('title ~ "100%_x\\\\"')
    assert sql == "tickets.incidents.title ILIKE %(title_1)s ESCAPE '\\'"
    assert params == ["%100\\%\\_x\\\\%"]
    sql, params = where_sql('client ~ "рога"')
    assert "client_name ILIKE" in sql
    assert "client_ref ILIKE" in sql
    assert params == ["%рога%", "%рога%"]


def test_keys_problems_orders() -> None:
    assert where_sql("key = INC-000123") == ("tickets.incidents.number = %(number_1)s", [123])
    assert where_sql("key in (1, INC-2)")[1] == [[1, 2]]
    sql, params = where_sql("problem = PRB-000045")
    assert "tickets.incidents.problem_id IN (SELECT tickets.problems.id" in sql
    assert params == [[45]]
    sql, _ = where_sql("order = ORD-1")
    assert "order_ref IN" in sql
    assert "order_number IN" in sql


def test_sla_breached_and_text() -> None:
    sql, _ = where_sql("sla_breached = true")
    assert sql == (
        "tickets.incidents.response_breached_at IS NOT NULL "
        "OR tickets.incidents.resolution_breached_at IS NOT NULL"
    )
    sql, params = where_sql("text ~ принтер")
    assert "tickets.incidents.search_vector @@ tickets.text_query(" in sql
    assert "tickets.incidents.notes_vector @@" in sql
    assert "public_notes_vector" not in sql
    assert params == ["принтер"]
    sql, _ = where_sql("text ~ vpn", entity="problem")
    assert "tickets.document_vector(tickets.problems.title, tickets.problems.description) @@" in sql


def test_reporter_only_sees_own_incidents_and_public_comments() -> None:
    reporter = QueryContext("rep", (), NOW, reporter_only_subject="subject-1")
    sql, params = where_sql("text ~ принтер", context=reporter)
    assert "tickets.incidents.public_notes_vector @@" in sql
    assert sql.endswith("AND tickets.incidents.reporter_id = %(reporter_id_1)s")
    assert params == ["принтер", "subject-1"]
    sql, _ = where_sql("", context=reporter)
    assert sql == "tickets.incidents.reporter_id = %(reporter_id_1)s"
    assert where_sql("", entity="problem", context=reporter)[0] == "false"


def test_order_by() -> None:
    assert order_sql("") == "tickets.incidents.created_at DESC, tickets.incidents.id DESC"
    assert order_sql("order by priority desc, created asc") == (
        "tickets.incidents.priority_rank ASC, tickets.incidents.created_at ASC, "
        "tickets.incidents.id ASC"
    )
    assert order_sql("order by assignee") == (
        "tickets.incidents.assignee_username ASC NULLS LAST, tickets.incidents.id ASC"
    )
    assert order_sql("order by impact desc").startswith("CASE tickets.incidents.impact WHEN")
    assert order_sql("order by closed desc", "problem") == (
        "tickets.problems.closed_at DESC NULLS LAST, tickets.problems.id DESC"
    )


def test_grouped_counts() -> None:
    query = parse_query(
        "status != closed group by priority", "incident", Vocabulary.default("incident")
    )
    sql = " ".join(str(compile_grouped(query, AGENT).compile(dialect=postgresql.dialect())).split())
    assert sql.startswith(
        "SELECT tickets.incidents.priority AS value, count(*) AS count FROM tickets.incidents WHERE"
    )
    assert sql.endswith(
        "GROUP BY tickets.incidents.priority "
        "ORDER BY count(*) DESC, tickets.incidents.priority ASC NULLS LAST"
    )
    with pytest.raises(QueryError, match="no group by"):
        compile_grouped(Query(entity="incident"), AGENT)


def test_unchecked_models_fail_as_query_errors() -> None:
    for where in (
        Comparison(field="password", op="=", value=Text(value="x")),
        Comparison(field="status", op="~", value=Text(value="x")),
        Comparison(field="created", op="=", value=Text(value="yesterday")),
        Comparison(field="priority", op=">", value=Text(value="urgent")),
        Comparison(field="key", op="=", value=Text(value="PRB-1")),
    ):
        with pytest.raises(QueryError):
            compile_query(Query(entity="incident", where=where), AGENT)
    with pytest.raises(QueryError, match="cannot order"):
        compile_query(Query(entity="incident", order_by=(OrderItem(field="text"),)), AGENT)
    with pytest.raises(QueryError, match="cannot group"):
        compile_grouped(Query(entity="problem", group_by="channel"), AGENT)


def test_values_are_bound_parameters() -> None:
    sql = str(compiled('title ~ "\'; drop table tickets.incidents; --" and assignee = "o\'hara"'))
    assert "drop" not in sql
    assert "o'hara" not in sql
