"""Reading and adding attachment records."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.tickets.attachments.models import Attachment


async def attachments_of(
    session: ReadSession, incident_id: uuid.UUID, include_internal: bool
) -> list[Attachment]:
    query = select(Attachment).where(Attachment.incident_id == incident_id)
    if not include_internal:
        query = query.where(Attachment.visibility == "public")
    return list((await session.scalars(query.order_by(Attachment.created_at))).all())


async def attachment_of(
    session: ReadSession, incident_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment | None:
    found: Attachment | None = await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.incident_id == incident_id
        )
    )
    return found


def add(session: WriteSession, attachment: Attachment) -> None:
    session.add(attachment)
