"""HTTP endpoints of problems: list, read, their incidents, link by hand, move (close)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, StringConstraints

from servicedesk.kernel.cursors import CursorCodec, CursorParam
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, problems
from servicedesk.kernel.etags import set_etag
from servicedesk.kernel.pagination import MAX_PAGE_SIZE, Page, json_response
from servicedesk.tickets.access import ProblemLinker, ProblemReader
from servicedesk.tickets.history.schemas import HistoryOut
from servicedesk.tickets.history.service import history_of
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.incidents.schemas import IncidentOut
from servicedesk.tickets.problems import service
from servicedesk.tickets.problems.schemas import ProblemLink, ProblemOut
from servicedesk.tickets.state import DeskDep
from servicedesk.tickets.usecases import problem_links
from servicedesk.tickets.usecases.problem_moves import move_problem
from servicedesk.tickets.workflow.schemas import TransitionOut, TransitionRequest
from servicedesk.tickets.workflow.service import available

router = APIRouter(prefix="/api/v1/problems", tags=["problems"])
# State ids: plain names (a NUL byte, say, would only fail in the database).
StatusValues = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]],
    Query(max_length=20),
]


class NewestAfter(BaseModel):
    """The position in the newest-first list: the last problem served."""

    created_at: AwareDatetime
    id: uuid.UUID


CURSORS = CursorCodec("problems-newest", NewestAfter)


@router.get("", response_model=Page[ProblemOut])
async def list_problems(
    _: ProblemReader,
    session: ReadSessionDep,
    status: StatusValues = [],  # noqa: B006
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: CursorParam = None,
) -> Response:
    """Newest first, each with its number of incidents; `open=true` leaves closed ones out."""
    after = CURSORS.decode(cursor)
    position = (after.created_at, after.id) if after is not None else None
    rows = await service.page(session, tuple(status), open_only, position, limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1][0]
        next_cursor = CURSORS.encode(NewestAfter(created_at=last.created_at, id=last.id))
    items = [service.out(problem, count) for problem, count in rows]
    return json_response(Page[ProblemOut](items=items, next_cursor=next_cursor))


@router.get("/{reference}", response_model=ProblemOut, responses=problems(NotFound))
async def get_problem(
    reference: str, _: ProblemReader, session: ReadSessionDep, response: Response
) -> ProblemOut:
    """By id or key (PRB-000123)."""
    answer = await service.with_count(session, await service.problem_at(session, reference))
    set_etag(response, answer.version)
    return answer


@router.get("/{reference}/incidents", response_model=list[IncidentOut])
async def problem_incidents(
    reference: str, actor: ProblemReader, session: ReadSessionDep
) -> list[IncidentOut]:
    problem = await service.problem_at(session, reference)
    rows = await incidents.of_problem(session, problem.id, MAX_PAGE_SIZE)
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
    incident = await problem_links.link(session, reference, link.incident, actor)
    return IncidentOut.model_validate(incident)


@router.delete(
    "/{reference}/incidents/{incident}",
    response_model=IncidentOut,
    responses=problems(NotFound),
)
async def unlink_incident(
    reference: str, incident: str, actor: ProblemLinker, session: WriteSessionDep
) -> IncidentOut:
    linked = await problem_links.unlink(session, reference, incident, actor)
    return IncidentOut.model_validate(linked)


@router.get("/{reference}/transitions", response_model=list[TransitionOut])
async def available_transitions(
    reference: str, actor: ProblemReader, session: ReadSessionDep, desk: DeskDep
) -> list[TransitionOut]:
    problem = await service.problem_at(session, reference)
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
    problem = await service.problem_at(session, reference, lock=True)
    moved, _ = await move_problem(session, desk, problem, request, actor)
    answer = await service.with_count(session, moved)
    set_etag(response, answer.version)
    return answer


@router.get("/{reference}/history", response_model=list[HistoryOut])
async def problem_history(
    reference: str, _: ProblemReader, session: ReadSessionDep
) -> list[HistoryOut]:
    problem = await service.problem_at(session, reference)
    return await history_of(session, "problem", problem.id)
