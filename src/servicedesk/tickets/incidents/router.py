"""HTTP endpoints of incidents: register, list and search, read, edit, move, comment, history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import StringConstraints, TypeAdapter

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    ProblemError,
    ServiceUnavailable,
    problems,
)
from servicedesk.kernel.pagination import (
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
    json_response,
)
from servicedesk.tickets import incidents, repository
from servicedesk.tickets.access import (
    IncidentEditor,
    IncidentOpener,
    IncidentReader,
    StaffOnly,
    is_staff,
    require_staff,
)
from servicedesk.tickets.comments import add_comment
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.models import Incident
from servicedesk.tickets.schemas import (
    ONE_LINE,
    CommentCreate,
    CommentOut,
    HistoryOut,
    IncidentCreate,
    IncidentOut,
    IncidentPatch,
    TransitionOut,
    TransitionRequest,
)
from servicedesk.tickets.transitions import available, move_incident

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
DeskDep = Annotated[Desk, Depends(desk_of)]
INCIDENTS = TypeAdapter(list[IncidentOut])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Values = Annotated[
    list[Annotated[str, StringConstraints(max_length=64, pattern=ONE_LINE)]],
    Query(max_length=20),
]
OneLine = StringConstraints(pattern=ONE_LINE)
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]
CURSOR_KIND = "incidents-newest"


class PreconditionRequired(ProblemError):
    status, code, title = 428, "precondition-required", "Precondition required"


def _with_etag(incident: Incident, response: Response) -> IncidentOut:
    response.headers["ETag"] = f'"{incident.version}"'
    return IncidentOut.model_validate(incident)


def _expected_version(if_match: str | None) -> int:
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag of the version you edit")
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise PreconditionFailed(f"If-Match {if_match!r} is not an ETag of an incident version")
    return int(tag)


@router.post(
    "",
    response_model=IncidentOut,
    status_code=201,
    responses=problems(Forbidden, InvalidInput, ServiceUnavailable),
)
async def register_incident(
    data: IncidentCreate,
    actor: IncidentOpener,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> IncidentOut:
    """Registers an incident and links it to its problem (found by correlation, else new). A retry
    with the same Idempotency-Key answers 200 with the incident made the first time."""
    outcome = await incidents.register(session, desk, data, actor, idempotency_key)
    if outcome.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{router.prefix}/{outcome.incident.id}"
    return _with_etag(outcome.incident, response)


def _filter(
    actor: Principal,
    status: list[str],
    priority: list[str],
    category: list[str],
    channel: list[str],
    assignee: str | None,
    group: str | None,
    problem: uuid.UUID | None,
    client: str | None,
    q: str | None,
) -> repository.IncidentFilter:
    staff = is_staff(actor)
    unassigned = assignee == "none"
    if assignee == "me":
        assignee = actor.username
    return repository.IncidentFilter(
        status=tuple(status),
        priority=tuple(priority),
        category=tuple(category),
        channel=tuple(channel),
        assignee=None if unassigned else assignee,
        unassigned=unassigned,
        group_id=group,
        reporter_id=None if staff else actor.subject,
        problem_id=problem,
        client_ref=client,
        text=q,
        include_internal=staff,
    )


@router.get("", response_model=Page[IncidentOut])
async def list_incidents(
    actor: IncidentReader,
    session: ReadSessionDep,
    status: Values = [],  # noqa: B006 - FastAPI copies query defaults
    priority: Values = [],  # noqa: B006
    category: Values = [],  # noqa: B006
    channel: Values = [],  # noqa: B006
    assignee: Annotated[
        str | None, OneLine, Query(max_length=100, description="a username, `me` or `none`")
    ] = None,
    group: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9-]+$")] = None,
    problem: uuid.UUID | None = None,
    client: Annotated[str | None, OneLine, Query(max_length=64)] = None,
    q: Annotated[
        str | None,
        OneLine,
        Query(min_length=1, max_length=200, description="words, Russian or English"),
    ] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Newest first. Reporters see their own incidents only; `q` searches title, description and
    comments (a reporter's search skips internal notes)."""
    found = _filter(actor, status, priority, category, channel, assignee, group, problem, client, q)
    after = None
    if cursor:
        at, last_id = decode_cursor(cursor, CURSOR_KIND, 2)
        after = (_cursor_time(at), _cursor_id(last_id))
    rows = await repository.incident_page(session, found, after, limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = encode_cursor(CURSOR_KIND, [last.created_at.isoformat(), str(last.id)])
    page = Page[IncidentOut](items=INCIDENTS.validate_python(rows), next_cursor=next_cursor)
    return json_response(page)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this list gave out",
        extra={"errors": [{"field": "cursor", "location": "query", "reason": "invalid"}]},
    )


def _cursor_time(value: object) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad_cursor() from None
    if at.tzinfo is None:
        raise _bad_cursor()
    return at


def _cursor_id(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise _bad_cursor() from None


@router.get("/{reference}", response_model=IncidentOut, responses=problems(NotFound))
async def get_incident(
    reference: str, actor: IncidentReader, session: ReadSessionDep, response: Response
) -> IncidentOut:
    """By id or key (INC-000123)."""
    return _with_etag(await incidents.incident_for(session, reference, actor), response)


@router.patch(
    "/{reference}",
    response_model=IncidentOut,
    responses=problems(NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable),
)
async def edit_incident(
    reference: str,
    patch: IncidentPatch,
    actor: IncidentEditor,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> IncidentOut:
    """Edits the fields sent (priority follows impact × urgency); If-Match must carry the ETag."""
    version = _expected_version(if_match)
    incident = await incidents.update(session, desk, reference, patch, version, actor)
    return _with_etag(incident, response)


@router.get("/{reference}/transitions", response_model=list[TransitionOut])
async def available_transitions(
    reference: str, actor: IncidentReader, session: ReadSessionDep, desk: DeskDep
) -> list[TransitionOut]:
    """The transitions this user may make now, with the fields each asks for."""
    incident = await incidents.incident_for(session, reference, actor)
    return available(desk.incident_flow, incident.status, actor.roles)


@router.post(
    "/{reference}/transitions",
    response_model=IncidentOut,
    responses=problems(NotFound, Conflict, Forbidden, InvalidInput),
)
async def make_transition(
    reference: str,
    request: TransitionRequest,
    actor: IncidentReader,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
) -> IncidentOut:
    """Moves the incident: 404 unknown transition, 409 not from this status, 403 role missing,
    422 a required field missing."""
    incident = await incidents.incident_for(session, reference, actor, lock=True)
    moved = await move_incident(session, desk, incident, request, actor)
    return _with_etag(moved, response)


@router.get("/{reference}/comments", response_model=list[CommentOut])
async def list_comments(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[CommentOut]:
    incident = await incidents.incident_for(session, reference, actor)
    rows = await repository.comments_of(session, incident.id, is_staff(actor))
    return [CommentOut.model_validate(row) for row in rows]


@router.post(
    "/{reference}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=problems(NotFound, Forbidden),
)
async def comment_incident(
    reference: str, data: CommentCreate, actor: IncidentReader, session: WriteSessionDep
) -> CommentOut:
    """Public comments reach the reporter; internal notes are for agents only."""
    incident = await incidents.incident_for(session, reference, actor, lock=True)
    return CommentOut.model_validate(await add_comment(session, incident, data, actor))


@router.get("/{reference}/history", response_model=list[HistoryOut], responses=problems(StaffOnly))
async def incident_history(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[HistoryOut]:
    """Every change: who, when, field, old → new."""
    require_staff(actor, "read an incident's history")
    incident = await incidents.incident_for(session, reference, actor)
    rows = await repository.history_of(session, "incident", incident.id)
    return [HistoryOut.model_validate(row) for row in rows]
