"""Queries of incidents: lists newest first (keyset), full-text search, lookups and locks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.incidents.models import IdempotencyKey, Incident


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    assignee: str | None = None
    unassigned: bool = False
    group_id: str | None = None
    reporter_id: str | None = None
    reporter_telegram_id: int | None = None
    reporter_phone: str | None = None
    problem_id: uuid.UUID | None = None
    client_ref: str | None = None
    text: str | None = None
    include_internal: bool = True


def _text_match(query: str, include_internal: bool) -> ColumnElement[bool]:
    """Incidents whose title, description or comments match. Comments' words are kept on the
    incident (all of them, and the public ones for reporters), so both conditions are indexed
    and the planner picks the text indexes or the newest-first walk, whichever is cheaper."""
    wanted = func.tickets.text_query(query)
    notes = Incident.notes_vector if include_internal else Incident.public_notes_vector
    return or_(Incident.search_vector.op("@@")(wanted), notes.op("@@")(wanted))


def _filtered(query: Select[Any], f: IncidentFilter) -> Select[Any]:
    simple = {
        Incident.status: f.status,
        Incident.priority: f.priority,
        Incident.category: f.category,
        Incident.channel: f.channel,
    }
    for column, values in simple.items():
        if values:
            query = query.where(column.in_(values))
    equal: dict[Any, object] = {
        Incident.assignee_username: f.assignee,
        Incident.group_id: f.group_id,
        Incident.reporter_id: f.reporter_id,
        Incident.reporter_telegram_id: f.reporter_telegram_id,
        Incident.reporter_phone: f.reporter_phone,
        Incident.problem_id: f.problem_id,
        Incident.client_ref: f.client_ref,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(column == value)
    if f.unassigned:
        query = query.where(Incident.assignee_username.is_(None))
    if f.text:
        query = query.where(_text_match(f.text, f.include_internal))
    return query


async def incident_page(
    session: ReadSession,
    f: IncidentFilter,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Incident]:
    query = _filtered(select(Incident), f)
    if after is not None:
        query = query.where(tuple_(Incident.created_at, Incident.id) < tuple_(*after))
    query = query.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def by_id(session: AnySession, incident_id: uuid.UUID) -> Incident | None:
    return await session.get(Incident, incident_id)


async def by_number(session: AnySession, number: int) -> Incident | None:
    found: Incident | None = await session.scalar(select(Incident).where(Incident.number == number))
    return found


async def lock(session: AnySession, incident: Incident) -> None:
    """Re-reads the incident, locked for update until the transaction ends."""
    await session.refresh(incident, with_for_update=True)


async def next_number(session: WriteSession) -> int:
    return int(await session.scalar(select(func.nextval("tickets.incident_numbers"))) or 0)


async def open_of_problem(
    session: WriteSession, problem_id: uuid.UUID, open_states: list[str]
) -> list[Incident]:
    """The problem's incidents in an open state, locked, by number."""
    query = (
        select(Incident)
        .where(Incident.problem_id == problem_id, Incident.status.in_(open_states))
        .order_by(Incident.number)
        .with_for_update()
    )
    return list((await session.scalars(query)).all())


async def lock_idempotency_key(session: WriteSession, scope: str, key: str) -> None:
    """Serialises requests with the same key until the transaction ends."""
    lock_name = f"tickets-idempotency:{scope}:{key}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(lock_name, 0))))


async def idempotency_key(session: WriteSession, scope: str, key: str) -> IdempotencyKey | None:
    return await session.get(IdempotencyKey, (scope, key))


def add_idempotency_key(
    session: WriteSession,
    scope: str,
    key: str,
    request_hash: str,
    incident_id: uuid.UUID,
    comment_id: uuid.UUID | None = None,
) -> None:
    session.add(
        IdempotencyKey(
            scope=scope,
            key=key,
            request_hash=request_hash,
            incident_id=incident_id,
            comment_id=comment_id,
        )
    )
