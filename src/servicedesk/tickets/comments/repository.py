"""Reading and adding comments."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.tickets.comments.models import Comment


async def comments_of(
    session: ReadSession, incident_id: uuid.UUID, include_internal: bool
) -> list[Comment]:
    query = select(Comment).where(Comment.incident_id == incident_id)
    if not include_internal:
        query = query.where(Comment.visibility == "public")
    return list((await session.scalars(query.order_by(Comment.created_at, Comment.id))).all())


def add(session: WriteSession, comment: Comment) -> None:
    session.add(comment)


async def by_id(session: WriteSession, comment_id: uuid.UUID) -> Comment | None:
    return await session.get(Comment, comment_id)
