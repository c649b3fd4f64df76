"""What the comments API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from servicedesk.tickets.fields import Input, LongText, Output, Visibility


class CommentCreate(Input):
    body: LongText
    visibility: Visibility = Visibility.PUBLIC
    from_reporter: bool = Field(
        default=False,
        description="a service (a channel) relays what the incident's reporter wrote: the comment "
        "is public and theirs, and their reply resumes or reopens the incident as the workflow "
        "lets a reporter",
    )


class CommentOut(Output):
    id: uuid.UUID
    incident_id: uuid.UUID
    visibility: str
    body: str
    author_id: str | None
    author_username: str
    from_reporter: bool = Field(description="written by the incident's reporter")
    via: str | None = Field(description="the service that relayed the reporter's comment")
    created_at: datetime
