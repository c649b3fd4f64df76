"""HTTP endpoints of incidents: register, list and search, read, edit, move, history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, BaseModel, StringConstraints, TypeAdapter

from servicedesk.kernel.cursors import CursorCodec, CursorParam
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    problems,
)
from servicedesk.kernel.etags import PreconditionRequired, expected_version, set_etag
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.pagination import MAX_PAGE_SIZE, Page, json_response
from servicedesk.tickets.access import (
    IncidentEditor,
    IncidentOpener,
    IncidentReader,
    StaffOnly,
    require_staff,
)
from servicedesk.tickets.fields import ONE_LINE
from servicedesk.tickets.history.schemas import HistoryOut
from servicedesk.tickets.history.service import history_of
from servicedesk.tickets.incidents import service
from servicedesk.tickets.incidents.schemas import IncidentCreate, IncidentOut, IncidentPatch
from servicedesk.tickets.state import DeskDep
from servicedesk.tickets.usecases.incident_moves import move_incident
from servicedesk.tickets.usecases.registration import register
from servicedesk.tickets.workflow.schemas import TransitionOut, TransitionRequest
from servicedesk.tickets.workflow.service import available

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
INCIDENTS = TypeAdapter(list[IncidentOut])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Values = Annotated[
    list[Annotated[str, StringConstraints(max_length=64, pattern=ONE_LINE)]],
    Query(max_length=20),
]
OneLine = StringConstraints(pattern=ONE_LINE)
E164 = r"^\+[1-9][0-9]{6,14}$"
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]


class NewestAfter(BaseModel):
    """The position in the newest-first list: the last incident served."""

    created_at: AwareDatetime
    id: uuid.UUID


CURSORS = CursorCodec("incidents-newest", NewestAfter)


def _out(incident: object, response: Response) -> IncidentOut:
    out = IncidentOut.model_validate(incident)
    set_etag(response, out.version)
    return out


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
    outcome = await register(session, desk, data, actor, idempotency_key)
    if outcome.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{router.prefix}/{outcome.incident.id}"
    return _out(outcome.incident, response)


@router.get("", response_model=Page[IncidentOut], responses=problems(StaffOnly))
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
    reporter: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9-]+$",
            description="the reporter's user id in the realm (staff only)",
        ),
    ] = None,
    reporter_telegram_id: Annotated[
        int | None,
        Query(gt=0, lt=2**53, description="an outside reporter's Telegram user id (staff only)"),
    ] = None,
    reporter_phone: Annotated[
        str | None,
        Query(
            max_length=16,
            pattern=E164,
            description="an outside reporter's phone, E.164 (`+` sent as `%2B`; staff only)",
        ),
    ] = None,
    q: Annotated[
        str | None,
        OneLine,
        Query(min_length=1, max_length=200, description="words, Russian or English"),
    ] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    """Newest first. Reporters see their own incidents only; `q` searches title, description and
    comments (a reporter's search skips internal notes). Staff find a reporter's incidents by
    their user id, or an outside contact's by Telegram id or phone (403 for reporters)."""
    found = service.listing(
        actor,
        status,
        priority,
        category,
        channel,
        assignee,
        group,
        problem,
        client,
        q,
        reporter=reporter,
        reporter_telegram_id=reporter_telegram_id,
        reporter_phone=reporter_phone,
    )
    after = CURSORS.decode(cursor)
    position = (after.created_at, after.id) if after is not None else None
    rows = await service.page(session, found, position, limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = CURSORS.encode(NewestAfter(created_at=last.created_at, id=last.id))
    page = Page[IncidentOut](items=INCIDENTS.validate_python(rows), next_cursor=next_cursor)
    return json_response(page)


@router.get("/{reference}", response_model=IncidentOut, responses=problems(NotFound))
async def get_incident(
    reference: str, actor: IncidentReader, session: ReadSessionDep, response: Response
) -> IncidentOut:
    """By id or key (INC-000123)."""
    return _out(await service.incident_for(session, reference, actor), response)


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
    version = expected_version(if_match, _t("an incident"))
    incident = await service.update(session, desk, reference, patch, version, actor)
    return _out(incident, response)


@router.get("/{reference}/transitions", response_model=list[TransitionOut])
async def available_transitions(
    reference: str, actor: IncidentReader, session: ReadSessionDep, desk: DeskDep
) -> list[TransitionOut]:
    """The transitions this user may make now, with the fields each asks for."""
    incident = await service.incident_for(session, reference, actor)
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
    incident = await service.incident_for(session, reference, actor, lock=True)
    moved = await move_incident(session, desk, incident, request, actor)
    return _out(moved, response)


@router.get("/{reference}/history", response_model=list[HistoryOut], responses=problems(StaffOnly))
async def incident_history(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[HistoryOut]:
    """Every change: who, when, field, old → new."""
    require_staff(actor, _t("read an incident's history"))
    incident = await service.incident_for(session, reference, actor)
    return await history_of(session, "incident", incident.id)
