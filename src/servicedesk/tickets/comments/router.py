"""HTTP endpoints of comments on an incident (under the incidents' tag and paths)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Forbidden, NotFound, problems
from servicedesk.tickets.access import IncidentReader
from servicedesk.tickets.comments import service
from servicedesk.tickets.comments.schemas import CommentCreate, CommentOut
from servicedesk.tickets.incidents import service as incidents

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


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
    responses=problems(NotFound, Forbidden),
)
async def comment_incident(
    reference: str, data: CommentCreate, actor: IncidentReader, session: WriteSessionDep
) -> CommentOut:
    """Public comments reach the reporter; internal notes are for agents only."""
    incident = await incidents.incident_for(session, reference, actor, lock=True)
    return CommentOut.model_validate(await service.add_comment(session, incident, data, actor))
