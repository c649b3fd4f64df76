"""What the tickets service tells others about problems, through its outbox (docs/events.md)."""

from __future__ import annotations

from typing import Any

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import DomainEvent, record_event
from servicedesk.tickets.db import outbox
from servicedesk.tickets.fields import PROBLEM_PREFIX, ticket_key
from servicedesk.tickets.problems.models import Problem

PROBLEM_CREATED = "problem.created"
PROBLEM_UPDATED = "problem.updated"
PROBLEM_CLOSED = "problem.closed"


def problem_payload(problem: Problem) -> dict[str, Any]:
    return {
        "id": str(problem.id),
        "key": ticket_key(PROBLEM_PREFIX, problem.number),
        "title": problem.title,
        "status": problem.status,
        "priority": problem.priority,
        "category": problem.category,
        "correlation_rule": problem.correlation_rule,
        "version": problem.version,
    }


async def problem_event(
    session: WriteSession, event_type: str, problem: Problem, **details: Any
) -> None:
    payload = {**problem_payload(problem), **details}
    await record_event(
        session, outbox, DomainEvent(event_type, "problem", str(problem.id), payload)
    )
