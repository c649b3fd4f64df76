"""Which problem a new incident belongs to: the policy's correlation rules, tried in order.

Each rule names incident fields that must be equal and a window; the first open problem with a
matching incident inside the window takes the new incident. Concurrent incidents that match the
same rule are serialised by a transaction lock on the rule and its values, so two of them never
open two problems for one cause. The problem found is share-locked and re-checked, so a problem
closing at the same moment is never joined (its close, which locks it, goes first or waits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from servicedesk.kernel.db import WriteSession
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.policy import CorrelationRule, TicketPolicy
from servicedesk.tickets.problems.models import Problem

_COLUMNS = {
    "order": Incident.order_ref,
    "client": Incident.client_ref,
    "category": Incident.category,
    "channel": Incident.channel,
}


@dataclass(frozen=True, slots=True)
class Match:
    problem: Problem
    rule: str


def _values(rule: CorrelationRule, incident: Incident) -> dict[str, str] | None:
    values = {name: getattr(incident, _COLUMNS[name].key) for name in rule.match}
    if any(value is None for value in values.values()):
        return None
    return {name: str(value) for name, value in values.items()}


async def _lock(session: WriteSession, rule: CorrelationRule, values: dict[str, str]) -> None:
    key = f"tickets-correlation:{rule.name}:" + "|".join(values[n] for n in rule.match)
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def _open_problem(
    session: WriteSession, rule: CorrelationRule, values: dict[str, str], now: datetime
) -> Problem | None:
    query = (
        select(Problem)
        .join(Incident, Incident.problem_id == Problem.id)
        .where(Problem.closed_at.is_(None), Incident.created_at > now - rule.within)
        .order_by(Incident.created_at.desc())
        .limit(1)
        .with_for_update(read=True, of=Problem)
    )
    for name, value in values.items():
        query = query.where(_COLUMNS[name] == value)
    problem: Problem | None = await session.scalar(query)
    return problem


async def find_problem(
    session: WriteSession, policy: TicketPolicy, incident: Incident, now: datetime
) -> Match | None:
    """The open problem the incident joins by the first matching rule, or None (a new one)."""
    applicable = [(rule, _values(rule, incident)) for rule in policy.correlation]
    for rule, values in applicable:
        if values is not None:
            await _lock(session, rule, values)
    for rule, values in applicable:
        if values is not None:
            problem = await _open_problem(session, rule, values, now)
            if problem is not None:
                return Match(problem, rule.name)
    return None
