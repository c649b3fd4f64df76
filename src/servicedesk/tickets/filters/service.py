"""Saved filters: a query with a name and a visibility scope, used from sidebars and boards."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.filters import repository
from servicedesk.tickets.filters.models import SavedFilter
from servicedesk.tickets.filters.schemas import FilterCount, FilterCreate, FilterOut, FilterPatch
from servicedesk.tickets.query import service as querying
from servicedesk.tickets.query.schemas import Results
from servicedesk.tickets.sharing import (
    check_scope,
    flush_unique_name,
    known_groups,
    may_change,
    may_use,
    require_change,
    rescope,
)


class FilterNotFound(NotFound):
    code = "filter-not-found"


def out(saved: SavedFilter, principal: Principal) -> FilterOut:
    answer = FilterOut.model_validate(saved)
    answer.editable = may_change(principal, saved)
    return answer


async def visible_filters(session: AnySession, principal: Principal) -> list[SavedFilter]:
    """The user's own filters and those shared with them (their groups, everyone)."""
    return await repository.visible(session, principal)


async def filter_for(
    session: AnySession, filter_id: uuid.UUID, principal: Principal
) -> SavedFilter:
    saved = await repository.by_id(session, filter_id)
    if saved is None or not may_use(principal, saved):
        raise FilterNotFound(_t("filter {filter_id} does not exist", filter_id=filter_id))
    return saved


async def _unique_name(session: WriteSession, saved: SavedFilter) -> None:
    await flush_unique_name(session, SavedFilter, saved, _t("filter"))


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
        query=querying.canonical_text(desk, data.query, data.entity),
        scope=data.scope.value,
        scope_group=data.scope_group,
        version=1,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, saved)
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
    require_change(principal, saved, _t("filter"))
    sent = patch.model_fields_set
    if "name" in sent and patch.name:
        saved.name = patch.name
    if "query" in sent and patch.query is not None:
        saved.query = querying.canonical_text(desk, patch.query, querying.entity_of(saved.entity))
    if sent & {"scope", "scope_group"}:
        await rescope(desk, principal, saved, patch.scope, patch.scope_group, sent)
    saved.version += 1
    saved.updated_at = datetime.now(UTC)
    await _unique_name(session, saved)
    return saved


async def removable(
    session: WriteSession, filter_id: uuid.UUID, principal: Principal
) -> SavedFilter:
    """The filter, if this user may delete it."""
    saved = await filter_for(session, filter_id, principal)
    require_change(principal, saved, _t("filter"))
    return saved


async def remove(session: WriteSession, saved: SavedFilter) -> None:
    await repository.delete(session, saved)


async def counts(session: ReadSession, desk: Desk, principal: Principal) -> list[FilterCount]:
    """How many tickets each visible filter matches now (capped, then `capped`)."""
    answer = []
    for saved in await visible_filters(session, principal):
        query = querying.parsed(desk, saved.query, querying.entity_of(saved.entity))
        total = await querying.count(session, desk, query, principal)
        capped = total > querying.COUNT_CAP
        answer.append(FilterCount(id=saved.id, name=saved.name, count=total, capped=capped))
    return answer


async def results(
    session: ReadSession,
    desk: Desk,
    filter_id: uuid.UUID,
    principal: Principal,
    limit: int,
    offset: int,
) -> Results:
    saved = await filter_for(session, filter_id, principal)
    query = querying.parsed(desk, saved.query, querying.entity_of(saved.entity))
    return await querying.results(session, desk, query, principal, limit, offset)


async def query_of(session: AnySession, filter_id: uuid.UUID) -> str | None:
    """The filter's query text, whoever may see it (for the boards shown over it)."""
    saved = await repository.by_id(session, filter_id)
    return saved.query if saved is not None else None
