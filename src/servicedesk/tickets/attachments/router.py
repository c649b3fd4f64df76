"""HTTP endpoints of attachments: upload (multipart), list, download."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlalchemy import select

from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import NotFound, PayloadTooLarge, problems
from servicedesk.tickets import incidents, repository
from servicedesk.tickets.access import IncidentReader, is_staff
from servicedesk.tickets.attachments import (
    AttachmentStore,
    UnsupportedAttachment,
    check_attachment,
    clean_filename,
    new_storage_key,
)
from servicedesk.tickets.comments import InternalNotesForStaff
from servicedesk.tickets.history import record_changes
from servicedesk.tickets.models import Attachment
from servicedesk.tickets.schemas import AttachmentOut, Visibility

router = APIRouter(prefix="/api/v1/incidents", tags=["attachments"])


class AttachmentNotFound(NotFound):
    code = "attachment-not-found"


def _store(request: Request) -> AttachmentStore:
    store: AttachmentStore = request.app.state.attachment_store
    return store


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
    if visibility is Visibility.INTERNAL and not is_staff(actor):
        raise InternalNotesForStaff("only agents may attach internal files")
    incident = await incidents.incident_for(session, reference, actor)
    limit: int = request.app.state.attachment_max_bytes
    data = await file.read(limit + 1)
    content_type, digest = check_attachment(file.content_type, data, limit)
    key = new_storage_key()
    await _store(request).put(key, data)
    attachment = Attachment(
        id=uuid.uuid4(),
        incident_id=incident.id,
        filename=clean_filename(file.filename),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        storage_key=key,
        visibility=visibility.value,
        uploaded_by=actor.username,
        created_at=datetime.now(UTC),
    )
    session.add(attachment)
    changes = [("attachment", None, attachment.filename)]
    await record_changes(session, "incident", incident.id, actor.username, changes)
    await session.flush()
    return AttachmentOut.model_validate(attachment)


@router.get("/{reference}/attachments", response_model=list[AttachmentOut])
async def list_attachments(
    reference: str, actor: IncidentReader, session: ReadSessionDep
) -> list[AttachmentOut]:
    incident = await incidents.incident_for(session, reference, actor)
    rows = await repository.attachments_of(session, incident.id, is_staff(actor))
    return [AttachmentOut.model_validate(row) for row in rows]


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
    attachment = await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.incident_id == incident.id
        )
    )
    if attachment is None or (attachment.visibility != "public" and not is_staff(actor)):
        raise AttachmentNotFound(f"attachment {attachment_id} does not exist")
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
