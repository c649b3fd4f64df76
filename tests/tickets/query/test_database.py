"""Compiled queries against the real PostgreSQL: what they match (on rows inserted in a
transaction that is rolled back), and that random valid queries all run."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from servicedesk.kernel.settings import DatabaseSettings
from servicedesk.tickets.comments.models import Comment
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.problems.models import Problem
from servicedesk.tickets.query import (
    Query,
    QueryContext,
    Vocabulary,
    compile_grouped,
    compile_query,
    parse_query,
)
from tests.tickets.query.strategies import any_query

MSK = dt.timezone(dt.timedelta(hours=3))
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=MSK)
AGENT = QueryContext("agent1", ("L1",), NOW)


@pytest.fixture(scope="module")
async def connection() -> AsyncIterator[AsyncConnection]:
    url = DatabaseSettings.local("tickets").primary_url.get_secret_value()
    engine = create_async_engine(url, pool_size=1)
    async with engine.connect() as conn:
        yield conn
        await conn.rollback()
    await engine.dispose()


@dataclass(frozen=True)
class Made:
    marker: str
    scope: str  # a condition matching just these incidents, through the index on numbers
    rows: dict[str, dict[str, Any]]


def _incident(marker: str, **fields: Any) -> dict[str, Any]:
    row = {
        "id": uuid.uuid4(),
        "number": 9 * 10**17 + secrets.randbelow(10**17),
        "title": f"{marker} {fields.pop('name')}",
        "description": "query language test",
        "category": "hardware",
        "impact": "medium",
        "urgency": "medium",
        "priority": "medium",
        "priority_rank": 3,
        "status": "new",
        "channel": "web",
        "created_by": "test",
        "updated_by": "test",
    }
    return row | fields


@pytest.fixture
async def rows(connection: AsyncConnection) -> AsyncIterator[Made]:
    """Three incidents (A, B, C) under a unique marker, and a problem of C's."""
    marker = f"qltest{secrets.token_hex(6)}"
    problem = {
        "id": uuid.uuid4(),
        "number": 9 * 10**17 + secrets.randbelow(10**17),
        "title": f"{marker} problem",
        "description": "cause",
        "category": "hardware",
        "priority": "low",
        "priority_rank": 4,
        "status": "open",
        "created_by": "test",
        "updated_by": "test",
    }
    a = _incident(
        marker,
        name="A",
        priority="critical",
        priority_rank=1,
        impact="high",
        assignee_username="agent1",
        group_name="L1",
        client_ref="CL-1",
        client_name="ООО Рога и копыта",
        reporter_id="subject-1",
        created_at=NOW - dt.timedelta(days=1),
    )
    b = _incident(
        marker,
        name="B",
        status="in_progress",
        priority="high",
        priority_rank=2,
        group_name="L2",
        channel="telegram",
        reporter_id="subject-2",
        response_breached_at=NOW - dt.timedelta(hours=5),
        created_at=NOW - dt.timedelta(days=10),
    )
    c = _incident(
        marker, name="C", status="resolved", priority="low", priority_rank=4, impact="low",
        assignee_username="bob", reporter_id="subject-1", problem_id=problem["id"],
        resolved_at=NOW - dt.timedelta(hours=1),
        created_at=dt.datetime(2026, 1, 31, 12, tzinfo=MSK),
    )  # fmt: skip
    comments = [
        {"incident_id": a["id"], "visibility": "internal", "body": f"{marker}secret"},
        {"incident_id": c["id"], "visibility": "public", "body": f"{marker}public"},
    ]
    transaction = await connection.begin()
    try:
        await connection.execute(insert(Problem).values(problem))
        for incident in (a, b, c):
            await connection.execute(insert(Incident).values(incident))
        for comment in comments:
            values = {"id": uuid.uuid4(), "author_username": "agent1", **comment}
            await connection.execute(insert(Comment).values(values))
        keys = ", ".join(f"INC-{row['number']:06d}" for row in (a, b, c))
        yield Made(marker, f"key in ({keys})", {"A": a, "B": b, "C": c, "problem": problem})
    finally:
        await transaction.rollback()


async def _names(
    connection: AsyncConnection, scope: str, text: str, context: QueryContext = AGENT
) -> list[str]:
    """The incidents of `scope` (a condition on their keys) the query matches, in its order."""
    condition, _, order = text.partition("order by")
    scoped = scope + (f" and ({condition})" if condition.strip() else "")
    scoped += f" order by {order}" if order else ""
    query = parse_query(scoped, "incident", Vocabulary.default("incident"))
    found = await connection.execute(compile_query(query, context))
    return [row.title.split()[-1] for row in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority >= high", "AB"),
        ("priority < high", "C"),
        ("impact > medium", "A"),
        ("assignee = me()", "A"),
        ("assignee != me()", "BC"),
        ("not assignee = me()", "BC"),
        ("assignee is empty", "B"),
        ("group in my_groups()", "A"),
        ("group != L1", "BC"),
        ('client ~ "рога"', "A"),
        ('client ~ "РОГА И"', "A"),
        ('client ~ "%"', ""),
        ("client is empty", "BC"),
        ("created > -7d", "A"),
        ("created = 2026-01-31", "C"),
        ("created < 2026-01-31T12:00", ""),
        ("created <= 2026-01-31T12:00", "C"),
        ("resolved is not empty", "C"),
        ("sla_breached = true", "B"),
        ("sla_breached = false", "AC"),
        ('status = "В работе"', "B"),
        ("status in (new, resolved) or channel = telegram", "ABC"),
        ("problem is empty", "AB"),
        ("order by priority desc", "ABC"),
        ("order by priority asc", "CBA"),
        ("order by created", "CBA"),
        ("order by assignee desc", "CAB"),
    ],
)
async def test_what_queries_match(
    connection: AsyncConnection, rows: Made, text: str, expected: str
) -> None:
    found = await _names(connection, rows.scope, text)
    if "order by" not in text:
        found.sort()
    assert "".join(found) == expected


async def test_keys_problems_and_text(connection: AsyncConnection, rows: Made) -> None:
    key = f"INC-{rows.rows['A']['number']:06d}"
    assert await _names(connection, rows.scope, f"key = {key}") == ["A"]
    problem = f"PRB-{rows.rows['problem']['number']:06d}"
    assert await _names(connection, rows.scope, f"problem = {problem}") == ["C"]
    assert await _names(connection, rows.scope, f"text ~ {rows.marker}secret") == ["A"]
    assert await _names(connection, rows.scope, f'title ~ "{rows.marker} b"') == ["B"]


async def test_a_reporter_sees_own_incidents_and_public_comments(
    connection: AsyncConnection, rows: Made
) -> None:
    reporter = QueryContext("someone", (), NOW, reporter_only_subject="subject-1")
    assert sorted(await _names(connection, rows.scope, "", reporter)) == ["A", "C"]
    secret, public = f"text ~ {rows.marker}secret", f"text ~ {rows.marker}public"
    assert await _names(connection, rows.scope, secret, reporter) == []
    assert await _names(connection, rows.scope, public, reporter) == ["C"]


async def test_grouped_counts(connection: AsyncConnection, rows: Made) -> None:
    text = f"{rows.scope} group by assignee"
    query = parse_query(text, "incident", Vocabulary.default("incident"))
    found = (await connection.execute(compile_grouped(query, AGENT))).all()
    assert sorted(found, key=str) == sorted([("agent1", 1), ("bob", 1), (None, 1)], key=str)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(query=any_query())
async def test_random_valid_queries_run(connection: AsyncConnection, query: Query) -> None:
    """Every statement runs, over real rows: the newest hundred, so that a query sorting
    the whole table stays fast however many incidents the database holds."""
    model = Incident if query.entity == "incident" else Problem
    newest = select(model.id).order_by(model.created_at.desc(), model.id.desc()).limit(100)
    sample = model.id.in_(newest.scalar_subquery())
    await connection.execute(compile_query(query, AGENT).where(sample).limit(5))
    if query.group_by is not None:
        await connection.execute(compile_grouped(query, AGENT).where(sample).limit(5))
    await connection.rollback()
