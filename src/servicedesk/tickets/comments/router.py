"""HTTP endpoints of comments on an incident (under the incidents' tag and paths)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Forbidden, InvalidInput, NotFound, problems
from servicedesk.tickets.access import IncidentReader
from servicedesk.tickets.comments import service
from servicedesk.tickets.comments.schemas import CommentCreate, CommentOut
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.state import DeskDep
from servicedesk.tickets.usecases.commenting import comment_incident as commented

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]


@router.get("/{reference}/comments", response_model=list[CommentOut])
async def list_comments(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[CommentOut]:
    incident = await incidents.incident_for(session, reference, actor)
    return await service.comments_on(session, incident, actor)


@router.post(
    "/{reference}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=problems(NotFound, Forbidden, InvalidInput),
)
async def comment_incident(
    reference: str,
    data: CommentCreate,
    actor: IncidentReader,
    session: WriteSessionDep,
    desk: DeskDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> CommentOut:
    """Public comments reach the reporter; internal notes are for agents only. A service relays
    a reporter's message with `from_reporter`: it is theirs, and resumes or reopens the incident
    as the workflow lets a reporter. A retry with the same Idempotency-Key answers the comment
    made the first time (201 again, with `Idempotent-Replayed: true`)."""
    incident = await incidents.incident_for(session, reference, actor, lock=True)
    outcome = await commented(session, desk, incident, data, actor, idempotency_key)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return CommentOut.model_validate(outcome.comment)
