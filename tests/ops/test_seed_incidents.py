"""Seeding incidents into the real tickets tables, as their owner, under a marker of this run's
own: the rows of the API, of other runs and of the benchmark's seed are left alone, and the
reset deletes only this run's rows."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import asyncpg
import pytest
import yaml

from servicedesk.ops.seeding.contacts import PHONE_PATTERN
from servicedesk.ops.seeding.draws import SEED_USER
from servicedesk.ops.seeding.incident_text import CATEGORIES
from servicedesk.ops.seeding.incidents import (
    ASSIGNEES,
    CHANNELS,
    GROUP,
    INCIDENT_STATUSES,
    PRIORITY_MATRIX,
    PRIORITY_RANK,
    SPAN_S,
    IncidentPlan,
    incident_batch,
)
from servicedesk.ops.seeding.loader import connected
from servicedesk.ops.seeding.tickets import (
    IncidentSeedReport,
    delete_seeded,
    owner_dsn,
    seed_incidents,
)

MARKER = f"seed-test-{secrets.token_hex(4)}"
COUNT = 500
LEVELS = {"high", "medium", "low"}


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[IncidentSeedReport]:
    report = await seed_incidents(COUNT, marker=MARKER, workers=0, batch_size=200)
    yield report
    async with connected(owner_dsn()) as connection:
        await delete_seeded(connection, MARKER)  # when a test failed before the reset


async def test_rows_have_valid_values_and_priorities_from_the_matrix(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    rows = await db.fetch("select * from tickets.incidents where created_by = $1", MARKER)
    assert len(rows) == COUNT == seeded.incidents
    now = datetime.now(UTC)
    for row in rows:
        assert row["category"] in CATEGORIES, row
        assert {row["impact"], row["urgency"]} <= LEVELS, row
        assert row["priority"] == PRIORITY_MATRIX[row["impact"]][row["urgency"]], row
        assert row["priority_rank"] == PRIORITY_RANK[row["priority"]], row
        assert row["status"] in INCIDENT_STATUSES, row
        assert row["channel"] in CHANNELS, row
        assert row["assignee_username"] in (*ASSIGNEES, None), row
        assert row["assignee_id"] == row["assignee_username"], row
        assert row["reporter_name"], row
        assert row["reporter_phone"] is None or PHONE_PATTERN.match(row["reporter_phone"]), row
        assert row["updated_by"] == MARKER, row
        assert now - timedelta(days=2 * 365 + 1) < row["created_at"] <= row["updated_at"] <= now
        assert row["status_changed_at"] == row["updated_at"], row
        if row["status"] != "new":
            assert row["created_at"] <= row["responded_at"] <= row["status_changed_at"], row
        if row["status"] in ("resolved", "closed"):
            assert row["responded_at"] <= row["resolved_at"] <= row["status_changed_at"], row
            assert row["resolution"], row
    assert "closed" in {r["status"] for r in rows}
    assert len({r["category"] for r in rows}) >= 3  # one per problem: 25 draws


def test_old_incidents_are_mostly_closed_recent_ones_mostly_open() -> None:
    plan = IncidentPlan("ages", 1_000_000, 1, 1, 1.6e9, 1.6e9 + SPAN_S)
    _, old = incident_batch(plan, 0, 20_000)
    _, recent = incident_batch(plan, 996_000, 1_000_000)  # about the last two days
    assert sum(r[9] == "closed" for r in old) / len(old) > 0.9
    assert sum(r[9] in ("new", "in_progress") for r in recent) / len(recent) > 0.6


def test_the_matrix_is_the_policy_of_the_tickets_service() -> None:
    policy = files("servicedesk.tickets") / "config" / "policy.yaml"
    assert yaml.safe_load(policy.read_text(encoding="utf-8"))["priority_matrix"] == PRIORITY_MATRIX


async def test_mostly_russian_old_ones_mostly_closed(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    figures = await db.fetchrow(
        "select avg((title ~ '[а-яё]')::int) as russian,"
        " avg((status = 'closed')::int) filter (where created_at < now() - interval '60 days')"
        "   as old_closed"
        " from tickets.incidents where created_by = $1",
        MARKER,
    )
    assert 0.6 < figures["russian"] < 0.8
    assert figures["old_closed"] > 0.8


async def test_every_group_of_incidents_shares_a_problem_closed_with_them(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    problems = await db.fetch(
        "select p.status, p.closed_at, count(*) as incidents,"
        " bool_and(i.status = 'closed') as all_closed, count(distinct i.category) as categories,"
        " max(i.status_changed_at) filter (where i.status = 'closed') as incidents_closed_at"
        " from tickets.problems p join tickets.incidents i on i.problem_id = p.id"
        " where p.created_by = $1 group by p.id",
        MARKER,
    )
    assert len(problems) == seeded.problems == COUNT // GROUP
    assert {p["incidents"] for p in problems} == {GROUP}
    assert all(p["categories"] == 1 for p in problems)
    for problem in problems:
        assert (problem["status"] == "closed") == problem["all_closed"], dict(problem)
        assert problem["closed_at"] == problem["incidents_closed_at"], dict(problem)


async def test_numbers_are_a_reserved_block_of_the_sequences(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    assert seeded.numbers is not None
    assert seeded.problem_numbers is not None
    for table, sequence, (first, last) in (
        ("incidents", "incident_numbers", seeded.numbers),
        ("problems", "problem_numbers", seeded.problem_numbers),
    ):
        numbers = await db.fetch(
            f"select number from tickets.{table} where created_by = $1 order by number", MARKER
        )
        assert [n for (n,) in numbers] == list(range(first, last + 1))
        assert await db.fetchval(f"select last_value from tickets.{sequence}") >= last
        taken = await db.fetchval(
            f"select count(*) from tickets.{table} where number between $1 and $2", first, last
        )
        assert taken == last - first + 1  # nobody else got a number of the block


async def test_russian_text_is_searchable(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    rows = await db.fetch(
        "select id, title from tickets.incidents"
        " where created_by = $1 and title ~ '^[А-ЯЁ]' order by number limit 30",
        MARKER,
    )
    for row in rows:
        words = [w for w in re.findall(r"\w+", row["title"].lower()) if re.search("[а-яё]", w)]
        word = max(words, key=len)  # "Битрикс24" is one word: text search keeps the digits
        found = await db.fetchval(
            "select search_vector @@ tickets.text_query($2) from tickets.incidents where id = $1",
            row["id"],
            word,
        )
        assert found, (word, row["title"])
    printer = await db.fetchrow(
        "select count(*) filter (where search_vector @@ tickets.text_query('принтер')) as found,"
        " count(*) filter (where lower(title || ' ' || description) like '%принтер%') as written"
        " from tickets.incidents where created_by = $1",
        MARKER,
    )
    assert printer["found"] == printer["written"]


def test_one_russian_word_is_in_about_one_incident_in_a_hundred() -> None:
    plan = IncidentPlan("share", 40_000, 1, 1, 1.6e9, 1.6e9 + SPAN_S)
    _, rows = incident_batch(plan, 0, plan.count)
    share = sum("принтер" in f"{r[2]} {r[3]}".lower() for r in rows) / len(rows)
    assert 0.005 < share < 0.02


async def test_reset_deletes_only_this_markers_rows(
    seeded: IncidentSeedReport, db: asyncpg.Connection
) -> None:
    other = f"seed-test-other-{secrets.token_hex(4)}"
    report = await seed_incidents(40, marker=other, workers=0)
    assert report.problems == 2
    count = "select count(*) from tickets.incidents where created_by = $1"
    benchmark_seed = await db.fetchval(count, SEED_USER)
    try:
        again = await seed_incidents(GROUP, reset=True, marker=MARKER, workers=0)
        assert again.deleted is not None
        assert (again.deleted.incidents, again.deleted.problems) == (COUNT, COUNT // GROUP)
        assert await db.fetchval(count, MARKER) == GROUP
        assert await db.fetchval(count, other) == 40
        assert await db.fetchval(count, SEED_USER) == benchmark_seed
    finally:
        async with connected(owner_dsn()) as connection:
            gone = await delete_seeded(connection, other)
    assert (gone.incidents, gone.problems, gone.kept) == (40, 2, 0)
