"""What the comments API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from servicedesk.tickets.fields import Input, LongText, Output, Visibility


class CommentCreate(Input):
    body: LongText
    visibility: Visibility = Visibility.PUBLIC


class CommentOut(Output):
    id: uuid.UUID
    incident_id: uuid.UUID
    visibility: str
    body: str
    author_id: str | None
    author_username: str
    created_at: datetime
