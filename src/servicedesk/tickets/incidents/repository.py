"""Queries that read tickets: lists newest first (keyset), full-text search, history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, tuple_

from servicedesk.kernel.db import ReadSession
from servicedesk.tickets.models import Attachment, Comment, HistoryEntry, Incident, Problem


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
    problem_id: uuid.UUID | None = None
    client_ref: str | None = None
    text: str | None = None
    include_internal: bool = True


def _text_match(query: str, include_internal: bool) -> Any:
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


async def problem_page(
    session: ReadSession,
    status: tuple[str, ...],
    open_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Problem, int]]:
    count = (
        select(func.count())
        .where(Incident.problem_id == Problem.id)
        .correlate(Problem)
        .scalar_subquery()
    )
    query = select(Problem, count)
    if status:
        query = query.where(Problem.status.in_(status))
    if open_only:
        query = query.where(Problem.closed_at.is_(None))
    if after is not None:
        query = query.where(tuple_(Problem.created_at, Problem.id) < tuple_(*after))
    query = query.order_by(Problem.created_at.desc(), Problem.id.desc()).limit(limit)
    return [(problem, n) for problem, n in (await session.execute(query)).all()]


async def incident_count(session: Any, problem_id: uuid.UUID) -> int:
    total = await session.scalar(select(func.count()).where(Incident.problem_id == problem_id))
    return int(total or 0)


async def comments_of(
    session: ReadSession, incident_id: uuid.UUID, include_internal: bool
) -> list[Comment]:
    query = select(Comment).where(Comment.incident_id == incident_id)
    if not include_internal:
        query = query.where(Comment.visibility == "public")
    return list((await session.scalars(query.order_by(Comment.created_at, Comment.id))).all())


async def attachments_of(
    session: ReadSession, incident_id: uuid.UUID, include_internal: bool
) -> list[Attachment]:
    query = select(Attachment).where(Attachment.incident_id == incident_id)
    if not include_internal:
        query = query.where(Attachment.visibility == "public")
    return list((await session.scalars(query.order_by(Attachment.created_at))).all())


async def history_of(session: ReadSession, kind: str, ticket_id: uuid.UUID) -> list[HistoryEntry]:
    query = (
        select(HistoryEntry)
        .where(and_(HistoryEntry.ticket_kind == kind, HistoryEntry.ticket_id == ticket_id))
        .order_by(HistoryEntry.id)
    )
    return list((await session.scalars(query)).all())
