"""A person's in-app notifications: the list, the unread count, marking read, delivery logs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select, update

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import NotFound, problems
from servicedesk.kernel.i18n import _t
from servicedesk.notifications.api.schemas import (
    DeliveryOut,
    NotificationOut,
    NotificationPage,
    Unread,
)
from servicedesk.notifications.auth import RealmUser
from servicedesk.notifications.decide.decider import publish_unread
from servicedesk.notifications.models import dispatches, notifications

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
AUDITORS = ("admin", "supervisor")


async def unread_count(session: ReadSession | WriteSession, user_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                notifications.c.user_id == user_id,
                notifications.c.in_app,
                notifications.c.read_at.is_(None),
            )
        )
        or 0
    )


@router.get("", response_model=NotificationPage)
async def list_notifications(
    caller: RealmUser,
    session: ReadSessionDep,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[int | None, Query(ge=1, description="an id: older ones only")] = None,
) -> NotificationPage:
    """Newest first, with the unread count."""
    query = select(notifications).where(
        notifications.c.user_id == caller.subject, notifications.c.in_app
    )
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    if before is not None:
        query = query.where(notifications.c.seq < before)
    rows = await session.execute(query.order_by(notifications.c.seq.desc()).limit(limit))
    items = [NotificationOut.model_validate({**r._mapping, "id": r.seq}) for r in rows]
    return NotificationPage(items=items, unread=await unread_count(session, caller.subject))


@router.get("/unread", response_model=Unread)
async def unread(caller: RealmUser, session: ReadSessionDep) -> Unread:
    return Unread(unread=await unread_count(session, caller.subject))


@router.post("/read-all", response_model=Unread)
async def read_all(caller: RealmUser, session: WriteSessionDep) -> Unread:
    await session.execute(
        update(notifications)
        .where(
            notifications.c.user_id == caller.subject,
            notifications.c.in_app,
            notifications.c.read_at.is_(None),
        )
        .values(read_at=func.now())
    )
    await publish_unread(session, [caller.subject])
    return Unread(unread=0)


@router.post("/{notification_id}/read", status_code=204, responses=problems(NotFound))
async def read_one(notification_id: int, caller: RealmUser, session: WriteSessionDep) -> Response:
    found = await session.scalar(
        update(notifications)
        .where(notifications.c.seq == notification_id, notifications.c.user_id == caller.subject)
        .values(read_at=func.coalesce(notifications.c.read_at, func.now()))
        .returning(notifications.c.seq)
    )
    if found is None:
        raise NotFound(_t("no notification {id}", id=notification_id))
    await publish_unread(session, [caller.subject])
    return Response(status_code=204)


def _may_audit(caller: Principal, owner: str) -> bool:
    return caller.subject == owner or caller.has_any_role(*AUDITORS)


@router.get(
    "/{notification_id}/deliveries", response_model=list[DeliveryOut], responses=problems(NotFound)
)
async def deliveries(
    notification_id: int, caller: RealmUser, session: ReadSessionDep
) -> list[DeliveryOut]:
    """Where and when it went out (or why not): one line per channel."""
    owner = await session.scalar(
        select(notifications.c.user_id).where(notifications.c.seq == notification_id)
    )
    if owner is None or not _may_audit(caller, owner):
        raise NotFound(_t("no notification {id}", id=notification_id))
    rows = await session.execute(
        select(dispatches)
        .where(dispatches.c.notification_seq == notification_id)
        .order_by(dispatches.c.created_at)
    )
    return [DeliveryOut.model_validate(r) for r in rows]
