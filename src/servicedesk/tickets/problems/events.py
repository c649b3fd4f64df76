"""What the tickets service tells others about problems, through its outbox (docs/events.md)."""

from __future__ import annotations

from typing import Any

from servicedesk.contracts.tickets import (
    ProblemClosedV1,
    ProblemCreatedV1,
    ProblemSnapshot,
    ProblemUpdatedV1,
)
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import record_event
from servicedesk.tickets.db import outbox
from servicedesk.tickets.fields import PROBLEM_PREFIX, ticket_key
from servicedesk.tickets.problems.models import Problem

PROBLEM_CREATED = ProblemCreatedV1
PROBLEM_UPDATED = ProblemUpdatedV1
PROBLEM_CLOSED = ProblemClosedV1


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
    session: WriteSession, contract: type[ProblemSnapshot], problem: Problem, **details: Any
) -> None:
    """Records the event `contract` about the problem as it is now (see `incident_event`)."""
    data = contract.model_validate({**problem_payload(problem), **details})
    await record_event(session, outbox, data, subject=str(problem.id))
