"""Saved filters: a query with a name and a visibility scope, used from sidebars and boards."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import NotFound
from servicedesk.tickets.board_schemas import FilterCreate, FilterPatch
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.models import Board, SavedFilter
from servicedesk.tickets.querying import canonical_text
from servicedesk.tickets.sharing import (
    Scope,
    check_scope,
    flush_unique_name,
    may_use,
    require_change,
    visible_to,
)


class FilterNotFound(NotFound):
    code = "filter-not-found"


async def known_groups(desk: Desk, principal: Principal, scope: Scope) -> set[str]:
    """The directory's group names, needed only when an admin shares outside their groups."""
    if scope is not Scope.GROUP or "admin" not in principal.roles:
        return set()
    return {group.name for group in await desk.directory.groups()}


async def rescope(
    desk: Desk,
    principal: Principal,
    item: Any,
    scope: Scope | None,
    group: str | None,
    sent: set[str],
) -> None:
    """A new scope for a filter or a board: a group only with a group scope, checked."""
    new_scope = scope or Scope(item.scope)
    new_group = group if "scope_group" in sent else item.scope_group
    if new_scope is not Scope.GROUP and "scope_group" not in sent:
        new_group = None
    check_scope(principal, new_scope, new_group, await known_groups(desk, principal, new_scope))
    item.scope, item.scope_group = new_scope.value, new_group


async def visible_filters(session: Any, principal: Principal) -> list[SavedFilter]:
    condition = visible_to(
        principal, SavedFilter.owner_id, SavedFilter.scope, SavedFilter.scope_group
    )
    query = select(SavedFilter).where(condition).order_by(SavedFilter.name, SavedFilter.id)
    return list((await session.scalars(query)).all())


async def filter_for(session: Any, filter_id: uuid.UUID, principal: Principal) -> SavedFilter:
    saved: SavedFilter | None = await session.get(SavedFilter, filter_id)
    if saved is None or not may_use(principal, saved):
        raise FilterNotFound(f"filter {filter_id} does not exist")
    return saved


async def _unique_name(session: WriteSession, saved: SavedFilter) -> None:
    await flush_unique_name(session, SavedFilter, saved, "filter")


async def create_filter(
    session: WriteSession, desk: Desk, data: FilterCreate, principal: Principal
) -> SavedFilter:
    check_scope(
        principal, data.scope, data.scope_group, await known_groups(desk, principal, data.scope)
    )
    now = datetime.now(UTC)
    saved = SavedFilter(
        id=uuid.uuid4(),
        owner_id=principal.subject,
        owner_username=principal.username,
        name=data.name,
        entity=data.entity,
        query=canonical_text(desk, data.query, data.entity),
        scope=data.scope.value,
        scope_group=data.scope_group,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(saved)
    await _unique_name(session, saved)
    return saved


async def update_filter(
    session: WriteSession,
    desk: Desk,
    filter_id: uuid.UUID,
    patch: FilterPatch,
    principal: Principal,
) -> SavedFilter:
    saved = await filter_for(session, filter_id, principal)
    require_change(principal, saved, "filter")
    sent = patch.model_fields_set
    if "name" in sent and patch.name:
        saved.name = patch.name
    if "query" in sent and patch.query is not None:
        saved.query = canonical_text(desk, patch.query, saved.entity)  # type: ignore[arg-type]
    if sent & {"scope", "scope_group"}:
        await rescope(desk, principal, saved, patch.scope, patch.scope_group, sent)
    saved.version += 1
    saved.updated_at = datetime.now(UTC)
    await _unique_name(session, saved)
    return saved


async def delete_filter(session: WriteSession, filter_id: uuid.UUID, principal: Principal) -> None:
    """Boards over the filter keep its last query (rather than, filterless, show everything)."""
    saved = await filter_for(session, filter_id, principal)
    require_change(principal, saved, "filter")
    await session.execute(
        update(Board)
        .where(Board.filter_id == saved.id)
        .values(query=saved.query, filter_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.delete(saved)
    await session.flush()
