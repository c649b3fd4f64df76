"""Visibility scopes of saved filters and boards: private, a Keycloak group, or everyone.

Anyone in scope uses a shared item; only its owner (or an admin) changes or deletes it. An owner
shares with the groups they belong to; an admin with any group of the directory.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import IntegrityError

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, FieldError, Forbidden, invalid_field
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.desk import Desk


class Scope(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    EVERYONE = "everyone"


class Shared(Protocol):
    owner_id: str
    scope: str
    scope_group: str | None


class NotYours(Forbidden):
    code = "not-the-owner"


class NameTaken(Conflict):
    code = "name-taken"


class Named(Protocol):
    id: Any
    owner_id: str
    name: str


def may_use(principal: Principal, item: Shared) -> bool:
    """In scope; an admin reaches any item by its id (to fix or remove it), though lists show
    admins only what is in their scope."""
    return (
        item.owner_id == principal.subject
        or "admin" in principal.roles
        or item.scope == Scope.EVERYONE
        or (item.scope == Scope.GROUP and item.scope_group in principal.groups)
    )


def may_change(principal: Principal, item: Shared) -> bool:
    return item.owner_id == principal.subject or "admin" in principal.roles


def require_change(principal: Principal, item: Shared, what: str) -> None:
    if not may_change(principal, item):
        raise NotYours(_t("only the owner of this {what} or an admin may change it", what=what))


def visible_to(
    principal: Principal, owner_id: object, scope: object, group: object
) -> ColumnElement[bool]:
    """The SQL condition `may_use` for lists (columns of the table passed in)."""
    return or_(
        owner_id == principal.subject,  # type: ignore[arg-type]
        scope == Scope.EVERYONE.value,  # type: ignore[arg-type]
        and_(scope == Scope.GROUP.value, group.in_(principal.groups)),  # type: ignore[arg-type,attr-defined]
    )


def check_scope(
    principal: Principal, scope: Scope, group: str | None, known_groups: set[str]
) -> None:
    """A group scope names a group: one of the owner's, or (for an admin) any existing one."""
    if scope is not Scope.GROUP:
        if group is not None:
            raise invalid_field("scope_group", _t("only a group scope names a group"))
        return
    if not group:
        raise invalid_field("scope_group", _t("a group scope needs the group's name"))
    if group in principal.groups:
        return
    if "admin" in principal.roles and group in known_groups:
        return
    raise invalid_field(
        "scope_group",
        _t(
            "you may share only with your groups: {groups}",
            groups=", ".join(principal.groups) or _t("none"),
        ),
    )


async def flush_unique_name(
    session: WriteSession, model: type[Any], item: Named, what: str
) -> None:
    """Writes a new or changed item whose name its owner has not given another one already.

    Checked before the flush: a failed flush would end the whole transaction (SQLAlchemy
    flushes before it opens a savepoint) and expire the item. A concurrent request taking the
    name in between still fails the flush, and is answered the same way."""
    name = item.name
    with session.no_autoflush:
        taken = await session.scalar(
            select(model.id)
            .where(model.owner_id == item.owner_id, model.name == name, model.id != item.id)
            .limit(1)
        )
    if taken is None:
        try:
            await session.flush()
            return
        except IntegrityError as error:
            if "_owner_id_name_key" not in str(error.orig):
                raise
    raise NameTaken(
        _t("you have a {what} named {name!r} already", what=what, name=name),
        extra={"errors": [FieldError("name", "taken").as_dict()]},
    )


async def known_groups(desk: Desk, principal: Principal, scope: Scope) -> set[str]:
    """The directory's group names, needed only when an admin shares outside their groups."""
    if scope is not Scope.GROUP or "admin" not in principal.roles:
        return set()
    return {group.name for group in await desk.directory.groups()}


async def rescope(
    desk: Desk,
    principal: Principal,
    item: Shared,
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
