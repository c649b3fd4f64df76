"""HTTP endpoints of attachments: upload (multipart), list, download."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import NotFound, PayloadTooLarge, problems
from servicedesk.tickets.access import IncidentReader
from servicedesk.tickets.attachments import service
from servicedesk.tickets.attachments.schemas import AttachmentOut
from servicedesk.tickets.attachments.service import UnsupportedAttachment
from servicedesk.tickets.attachments.store import AttachmentStore
from servicedesk.tickets.fields import Visibility
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.state import tickets_state

router = APIRouter(prefix="/api/v1/incidents", tags=["attachments"])


def _store(request: Request) -> AttachmentStore:
    return tickets_state(request).attachment_store


@router.post(
    "/{reference}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    responses=problems(NotFound, PayloadTooLarge, UnsupportedAttachment),
)
async def upload_attachment(
    reference: str,
    request: Request,
    actor: IncidentReader,
    session: WriteSessionDep,
    file: Annotated[UploadFile, File()],
    visibility: Annotated[Visibility, Form()] = Visibility.PUBLIC,
) -> AttachmentOut:
    """One file (multipart field `file`); type checked against its content, size limited."""
    service.may_attach(actor, visibility)
    incident = await incidents.incident_for(session, reference, actor)
    limit = tickets_state(request).attachment_max_bytes
    data = await file.read(limit + 1)
    upload = (file.filename, file.content_type, data)
    attachment = await service.attach(
        session, _store(request), incident, upload, visibility, limit, actor
    )
    return AttachmentOut.model_validate(attachment)


@router.get("/{reference}/attachments", response_model=list[AttachmentOut])
async def list_attachments(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[AttachmentOut]:
    incident = await incidents.incident_for(session, reference, actor)
    return await service.attachments_on(session, incident, actor)


@router.get(
    "/{reference}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **problems(NotFound)},
)
async def download_attachment(
    reference: str,
    attachment_id: uuid.UUID,
    request: Request,
    actor: IncidentReader,
    session: ReadSessionDep,
) -> Response:
    """The file itself, always as a download (never rendered inline by the browser)."""
    incident = await incidents.incident_for(session, reference, actor)
    attachment = await service.attachment_on(session, incident, attachment_id, actor)
    data = await _store(request).get(attachment.storage_key)
    disposition = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
