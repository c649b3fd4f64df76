"""What the attachments API answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from servicedesk.tickets.fields import Output


class AttachmentOut(Output):
    id: uuid.UUID
    incident_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    visibility: str
    uploaded_by: str
    created_at: datetime
