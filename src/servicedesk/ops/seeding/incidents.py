"""Fake incidents and the problems they are grouped under, as rows of the tickets tables.

Incidents are spread over the last two years in time order, about 70% Russian, each group of
`GROUP` consecutive ones on one topic under one problem. Old groups are mostly closed, recent
incidents mostly new or in progress; SLA times, breaches and priorities follow the policy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from servicedesk.ops.seeding.contacts import reporter_contact
from servicedesk.ops.seeding.draws import SEED_USER, pick, seeded, weighted, words
from servicedesk.ops.seeding.incident_text import (
    ENGLISH,
    RUSSIAN,
    Language,
    Topic,
    incident_text,
    resolution,
)
from servicedesk.ops.seeding.names import reporter

SPAN_S = 2 * 365 * 86_400  # incidents are spread over the last two years
GROUP = 20  # consecutive incidents under one problem
DAY = 86_400
PRIORITY_MATRIX = {  # as in tickets/config/policy.yaml: matrix[impact][urgency]
    "high": {"high": "critical", "medium": "high", "low": "medium"},
    "medium": {"high": "high", "medium": "medium", "low": "low"},
    "low": {"high": "medium", "medium": "low", "low": "low"},
}
PRIORITY_RANK = {"critical": 1, "high": 2, "medium": 3, "low": 4}
SLA_S = {  # (response, resolution) targets in seconds, as in the policy (calendar time here)
    "critical": (15 * 60, 4 * 3600),
    "high": (3600, 8 * 3600),
    "medium": (4 * 3600, 3 * DAY),
    "low": (DAY, 10 * DAY),
}
INCIDENT_STATUSES = ("new", "in_progress", "waiting_for_reporter", "resolved", "closed")
CHANNELS = weighted("web:35 email:25 telegram:15 api:10 esb:8 sms:7")
ASSIGNEES = weighted("agent1:42 agent2:42 supervisor1:16")
_IMPACTS = weighted("low:50 medium:35 high:15")
_URGENCIES = weighted("low:35 medium:45 high:20")
# chance that a group's problem is closed, by the age of its newest incident in days
_PROBLEM_CLOSED = ((1, 0.0), (7, 0.15), (30, 0.55), (math.inf, 0.95))
# status of an incident whose problem is open, by its age in days
_OPEN_STATUS = (
    (1, weighted("new:55 in_progress:35 waiting_for_reporter:5 resolved:5")),
    (7, weighted("new:18 in_progress:40 waiting_for_reporter:12 resolved:30")),
    (30, weighted("new:8 in_progress:25 waiting_for_reporter:12 resolved:55")),
    (math.inf, weighted("new:1 in_progress:8 waiting_for_reporter:5 resolved:86")),
)
_VERSIONS = {"new": 1, "in_progress": 2, "waiting_for_reporter": 3, "resolved": 3, "closed": 4}
INCIDENT_COLUMNS = words("""
id number title description category impact urgency priority priority_rank status
status_changed_at channel reporter_name reporter_email reporter_phone
reporter_telegram_id assignee_id assignee_username problem_id resolution response_due_at
resolution_due_at responded_at resolved_at sla_paused_at response_breached_at
resolution_breached_at version created_at created_by updated_at updated_by
""")
PROBLEM_COLUMNS = words("""
id number title description category priority priority_rank status status_changed_at
assignee_id assignee_username resolution closed_at version created_at created_by
updated_at updated_by
""")
Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class IncidentPlan:
    """The incidents of one run: incident `i` is number `first_number + i`, created at about
    `start_ts + i * span / count`; pickled to the loader processes."""

    key: str
    count: int
    first_number: int
    first_problem_number: int
    start_ts: float
    now_ts: float
    marker: str = SEED_USER

    @property
    def problems(self) -> int:
        return -(-self.count // GROUP)


def _by_age(table: Sequence[tuple[float, Any]], age_s: float) -> Any:
    return next(value for days, value in table if age_s <= days * DAY)


def _english_topics() -> dict[str, tuple[Topic, ...]]:
    """For each Russian topic, the English ones a group on it may use: the same, or any of
    its category."""
    mapping: dict[str, tuple[Topic, ...]] = {}
    for topic in RUSSIAN.topics:
        same = tuple(t for t in ENGLISH.topics if t.name == topic.name)
        mapping[topic.name] = same or tuple(
            t for t in ENGLISH.topics if t.category == topic.category
        )
    return mapping


_ENGLISH_TOPICS = _english_topics()


def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _optional_ts(value: float | None) -> datetime | None:
    return None if value is None else _ts(value)


@dataclass(slots=True)
class _Clock:
    """The SLA times of one incident."""

    changed: float
    responded: float | None = None
    resolved: float | None = None
    paused: float | None = None


def _clock(rng: random.Random, status: str, created: float, priority: str, until: float) -> _Clock:
    """Times up to `until`: now, or when the incident's problem was closed."""
    response_s, resolution_s = SLA_S[priority]
    clock = _Clock(changed=created)
    if status == "new":
        return clock
    # mostly within target; about one in eight late
    responded = created + 30 + response_s * 1.3 * rng.random() ** 2
    if responded > until:
        responded = created + (until - created) * rng.random()
    clock.responded = clock.changed = responded
    if status in ("resolved", "closed"):
        resolved = responded + 60 + resolution_s * 1.4 * rng.random() ** 2
        if resolved > until:
            resolved = responded + (until - responded) * rng.random()
        clock.resolved = clock.changed = resolved
    elif status == "waiting_for_reporter":
        clock.paused = clock.changed = responded + (until - responded) * rng.random()
    if status == "closed":
        clock.changed = until
    return clock


def _sla(now_ts: float, created: float, priority: str, clock: _Clock) -> Row:
    """response_due_at … resolution_breached_at of an incident."""
    response_s, resolution_s = SLA_S[priority]
    response_due, resolution_due = created + response_s, created + resolution_s
    response_end = now_ts if clock.responded is None else clock.responded
    resolution_end = clock.resolved or clock.paused or now_ts
    return (
        _ts(response_due),
        _ts(resolution_due),
        _optional_ts(clock.responded),
        _optional_ts(clock.resolved),
        _optional_ts(clock.paused),
        _ts(response_due) if response_end > response_due else None,
        _ts(resolution_due) if resolution_end > resolution_due else None,
    )


class _Request(NamedTuple):
    """Who wrote, in which language, through which channel, and what."""

    russian: bool
    language: Language
    topic: Topic
    channel: str
    name: str
    title: str
    description: str


def _request(rng: random.Random, topic: Topic) -> _Request:
    russian = rng.random() < 0.7
    language: Language = RUSSIAN
    if not russian:
        language = ENGLISH
        topic = pick(rng, _ENGLISH_TOPICS[topic.name])
    channel = pick(rng, CHANNELS)
    name = reporter(rng, russian)
    short = channel in ("sms", "telegram") or (channel in ("api", "esb") and rng.random() < 0.5)
    title, description = incident_text(rng, language, topic, name, short)
    return _Request(russian, language, topic, channel, name, title[:200], description)


class _Incident(NamedTuple):
    row: Row
    russian: bool
    priority: str


def _incident(
    rng: random.Random,
    plan: IncidentPlan,
    index: int,
    created: float,
    topic: Topic,
    problem: tuple[UUID, float | None],
) -> _Incident:
    """Incident `index`, under `problem` (its id, and when it was closed or None)."""
    problem_id, closed_at = problem
    request = _request(rng, topic)
    impact, urgency = pick(rng, _IMPACTS), pick(rng, _URGENCIES)
    priority = PRIORITY_MATRIX[impact][urgency]
    status = "closed"
    if closed_at is None:
        status = pick(rng, _by_age(_OPEN_STATUS, plan.now_ts - created))
    clock = _clock(rng, status, created, priority, closed_at or plan.now_ts)
    assignee = pick(rng, ASSIGNEES) if status != "new" or rng.random() < 0.2 else None
    contact = reporter_contact(rng, request.name, request.russian, request.channel)
    changed = _ts(clock.changed)
    head = (UUID(int=rng.getrandbits(128), version=4), plan.first_number + index)
    text = (request.title, request.description, request.topic.category)
    ranked = (impact, urgency, priority, PRIORITY_RANK[priority], status, changed)
    solved = status in ("resolved", "closed")
    row = (
        *head,
        *text,
        *ranked,
        request.channel,
        request.name,
        *contact,
        assignee,
        assignee,
        problem_id,
        resolution(rng, request.language) if solved else None,
        *_sla(plan.now_ts, created, priority, clock),
        _VERSIONS[status] + (status != "new" and rng.random() < 0.4),
        _ts(created),
        plan.marker,
        changed,
        plan.marker,
    )
    return _Incident(row, request.russian, priority)


def _problem(
    rng: random.Random,
    plan: IncidentPlan,
    number: int,
    incidents: Sequence[_Incident],
    times: tuple[float, float, float | None],
) -> Row:
    """The problem of a group: `times` are its first and last incident's and its closing."""
    problem_id, category = incidents[0].row[18], incidents[0].row[4]
    first, last, closed_at = times
    priority = min((i.priority for i in incidents), key=PRIORITY_RANK.__getitem__)
    lead = next((i for i in incidents if i.russian), incidents[0])
    label = "Повторяющиеся обращения" if lead.russian else "Recurring requests"
    assignee = (
        "supervisor1" if closed_at else next((i.row[17] for i in incidents if i.row[17]), None)
    )
    start = _ts(first)
    end = _ts(closed_at) if closed_at else _ts(last)
    count = len(incidents)
    closed = closed_at is not None
    return (
        problem_id,
        plan.first_problem_number + number,
        f"{label}: {lead.row[2]}"[:200],
        f"{count} обращений с одной причиной. {count} requests with one cause.",
        category,
        priority,
        PRIORITY_RANK[priority],
        "closed" if closed else "open",
        end if closed else start,
        assignee,
        assignee,
        resolution(rng, RUSSIAN) if closed else None,
        end if closed else None,
        3 if closed else 1,
        start,
        plan.marker,
        end,
        plan.marker,
    )


def _group(
    rng: random.Random, plan: IncidentPlan, group: int, step: float
) -> tuple[Row, list[Row]]:
    """Problem `group` and its incidents, all on one topic."""
    first = group * GROUP
    indexes = range(first, min(first + GROUP, plan.count))
    created = [plan.start_ts + (i + rng.random()) * step for i in indexes]
    closed_at = None
    if rng.random() < _by_age(_PROBLEM_CLOSED, plan.now_ts - created[-1]):
        closed_at = min(created[-1] + 3600 + rng.random() * 3 * DAY, plan.now_ts)
    topic = RUSSIAN.topic(rng)
    problem_id = UUID(int=rng.getrandbits(128), version=4)
    incidents = [
        _incident(rng, plan, index, ts, topic, (problem_id, closed_at))
        for index, ts in zip(indexes, created, strict=True)
    ]
    problem = _problem(rng, plan, group, incidents, (created[0], created[-1], closed_at))
    return problem, [i.row for i in incidents]


def incident_batch(plan: IncidentPlan, start: int, stop: int) -> tuple[list[Row], list[Row]]:
    """(problems, incidents) for incidents `start`..`stop-1`; `start` is a multiple of GROUP."""
    if start % GROUP or (stop % GROUP and stop != plan.count):
        raise ValueError("a batch starts and ends at group boundaries")
    rng = seeded(f"{plan.key}/incidents/{start}")
    step = (plan.now_ts - 60 - plan.start_ts) / plan.count
    problems: list[Row] = []
    incidents: list[Row] = []
    for group in range(start // GROUP, -(-stop // GROUP)):
        problem, rows = _group(rng, plan, group, step)
        problems.append(problem)
        incidents += rows
    return problems, incidents
