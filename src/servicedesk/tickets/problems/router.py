"""HTTP endpoints of problems: list, read, their incidents, link by hand, move (close)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import StringConstraints, TypeAdapter

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, problems
from servicedesk.kernel.pagination import (
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
    json_response,
)
from servicedesk.tickets import incidents, repository
from servicedesk.tickets import problems as problem_rules
from servicedesk.tickets.access import ProblemLinker, ProblemReader
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.models import Problem
from servicedesk.tickets.schemas import (
    HistoryOut,
    IncidentOut,
    ProblemLink,
    ProblemOut,
    TransitionOut,
    TransitionRequest,
)
from servicedesk.tickets.transitions import available, move_problem

router = APIRouter(prefix="/api/v1/problems", tags=["problems"])
DeskDep = Annotated[Desk, Depends(desk_of)]
PROBLEMS = TypeAdapter(list[ProblemOut])
CURSOR_KIND = "problems-newest"
# State ids: plain names (a NUL byte, say, would only fail in the database).
StatusValues = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]],
    Query(max_length=20),
]


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this list gave out",
        extra={"errors": [{"field": "cursor", "location": "query", "reason": "invalid"}]},
    )


def _out(problem: Problem, incident_count: int, response: Response | None = None) -> ProblemOut:
    if response is not None:
        response.headers["ETag"] = f'"{problem.version}"'
    out = ProblemOut.model_validate(problem)
    out.incident_count = incident_count
    return out


@router.get("", response_model=Page[ProblemOut])
async def list_problems(
    _: ProblemReader,
    session: ReadSessionDep,
    status: StatusValues = [],  # noqa: B006
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Newest first, each with its number of incidents; `open=true` leaves closed ones out."""
    after = None
    if cursor:
        at, last_id = decode_cursor(cursor, CURSOR_KIND, 2)
        try:
            after = (datetime.fromisoformat(str(at)), uuid.UUID(str(last_id)))
        except ValueError:
            raise _bad_cursor() from None
        if after[0].tzinfo is None:
            raise _bad_cursor()
    rows = await repository.problem_page(session, tuple(status), open_only, after, limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1][0]
        next_cursor = encode_cursor(CURSOR_KIND, [last.created_at.isoformat(), str(last.id)])
    items = [_out(problem, count) for problem, count in rows]
    return json_response(Page[ProblemOut](items=items, next_cursor=next_cursor))


@router.get("/{reference}", response_model=ProblemOut, responses=problems(NotFound))
async def get_problem(
    reference: str, _: ProblemReader, session: ReadSessionDep, response: Response
) -> ProblemOut:
    """By id or key (PRB-000123)."""
    problem = await problem_rules.problem_at(session, reference)
    return _out(problem, await repository.incident_count(session, problem.id), response)


@router.get("/{reference}/incidents", response_model=list[IncidentOut])
async def problem_incidents(
    reference: str, actor: ProblemReader, session: ReadSessionDep
) -> list[IncidentOut]:
    problem = await problem_rules.problem_at(session, reference)
    found = repository.IncidentFilter(problem_id=problem.id)
    rows = await repository.incident_page(session, found, None, MAX_PAGE_SIZE)
    return [IncidentOut.model_validate(row) for row in rows]


@router.post(
    "/{reference}/incidents",
    response_model=IncidentOut,
    responses=problems(NotFound, Conflict),
)
async def link_incident(
    reference: str, link: ProblemLink, actor: ProblemLinker, session: WriteSessionDep
) -> IncidentOut:
    """Links an incident to this open problem (moving it from its previous one)."""
    problem = await problem_rules.problem_at(session, reference, lock=True)
    incident = await incidents.incident_for(session, link.incident, actor, lock=True)
    await problem_rules.link(session, problem, incident, actor)
    return IncidentOut.model_validate(incident)


@router.delete(
    "/{reference}/incidents/{incident}",
    response_model=IncidentOut,
    responses=problems(NotFound),
)
async def unlink_incident(
    reference: str, incident: str, actor: ProblemLinker, session: WriteSessionDep
) -> IncidentOut:
    problem = await problem_rules.problem_at(session, reference, lock=True)
    linked = await incidents.incident_for(session, incident, actor, lock=True)
    await problem_rules.unlink(session, problem, linked, actor)
    return IncidentOut.model_validate(linked)


@router.get("/{reference}/transitions", response_model=list[TransitionOut])
async def available_transitions(
    reference: str, actor: ProblemReader, session: ReadSessionDep, desk: DeskDep
) -> list[TransitionOut]:
    problem = await problem_rules.problem_at(session, reference)
    return available(desk.problem_flow, problem.status, actor.roles)


@router.post(
    "/{reference}/transitions",
    response_model=ProblemOut,
    responses=problems(NotFound, Conflict, Forbidden, InvalidInput),
)
async def make_transition(
    reference: str,
    request: TransitionRequest,
    actor: ProblemReader,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
) -> ProblemOut:
    """Moves the problem; closing it closes its open incidents in the same transaction."""
    problem = await problem_rules.problem_at(session, reference, lock=True)
    moved, _ = await move_problem(session, desk, problem, request, actor)
    return _out(moved, await repository.incident_count(session, moved.id), response)


@router.get("/{reference}/history", response_model=list[HistoryOut])
async def problem_history(
    reference: str, _: ProblemReader, session: ReadSessionDep
) -> list[HistoryOut]:
    problem = await problem_rules.problem_at(session, reference)
    rows = await repository.history_of(session, "problem", problem.id)
    return [HistoryOut.model_validate(row) for row in rows]
