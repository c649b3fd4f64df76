"""Watching an incident or a problem: anyone who may see it may watch or stop watching it."""

from __future__ import annotations

import uuid
from enum import StrEnum

from fastapi import APIRouter
from sqlalchemy import delete, select

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.calls import UserToken
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import NotFound, ServiceUnavailable, problems
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.service_client import CallFailed
from servicedesk.notifications.api.schemas import WatcherOut, WatchOut
from servicedesk.notifications.auth import RealmUser, person_of
from servicedesk.notifications.decide.decider import watch
from servicedesk.notifications.models import watchers
from servicedesk.notifications.state import NotificationsStateDep

router = APIRouter(prefix="/api/v1/watch", tags=["watch"])


class Aggregate(StrEnum):
    INCIDENT = "incident"
    PROBLEM = "problem"


async def _view(
    session: ReadSession | WriteSession, aggregate: Aggregate, item_id: uuid.UUID, user_id: str
) -> WatchOut:
    rows = (
        await session.execute(
            select(watchers.c.user_id, watchers.c.username, watchers.c.created_at)
            .where(watchers.c.aggregate_type == aggregate.value, watchers.c.aggregate_id == item_id)
            .order_by(watchers.c.created_at)
        )
    ).all()
    return WatchOut(
        watching=any(r.user_id == user_id for r in rows),
        watchers=[WatcherOut(username=r.username, since=r.created_at) for r in rows],
    )


async def _visible(
    state: NotificationsStateDep, caller: Principal, aggregate: Aggregate, item_id: uuid.UUID
) -> None:
    """Asks the tickets service, with the caller's own token, whether they may see the item:
    nobody watches what they could not open."""
    try:
        response = await state.tickets.request(
            "GET",
            f"/api/v1/{aggregate.value}s/{item_id}",
            auth=UserToken(caller.token),
        )
    except CallFailed as exc:
        raise ServiceUnavailable(_t("the tickets service does not answer")) from exc
    if response.status_code != 200:
        raise NotFound(_t("no {kind} {id}", kind=aggregate.value, id=str(item_id)))


@router.get("/{aggregate}/{item_id}", response_model=WatchOut)
async def watching(
    aggregate: Aggregate, item_id: uuid.UUID, caller: RealmUser, session: ReadSessionDep
) -> WatchOut:
    return await _view(session, aggregate, item_id, caller.subject)


@router.put("/{aggregate}/{item_id}", response_model=WatchOut, responses=problems(NotFound))
async def start_watching(
    aggregate: Aggregate,
    item_id: uuid.UUID,
    caller: RealmUser,
    session: WriteSessionDep,
    state: NotificationsStateDep,
) -> WatchOut:
    await _visible(state, caller, aggregate, item_id)
    await watch(session, aggregate.value, item_id, [(person_of(caller), "manual")])
    return await _view(session, aggregate, item_id, caller.subject)


@router.delete("/{aggregate}/{item_id}", response_model=WatchOut)
async def stop_watching(
    aggregate: Aggregate, item_id: uuid.UUID, caller: RealmUser, session: WriteSessionDep
) -> WatchOut:
    await session.execute(
        delete(watchers).where(
            watchers.c.aggregate_type == aggregate.value,
            watchers.c.aggregate_id == item_id,
            watchers.c.user_id == caller.subject,
        )
    )
    return await _view(session, aggregate, item_id, caller.subject)
