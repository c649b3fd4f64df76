"""The lookups the directory pickers make, over the Keycloak directory."""

from __future__ import annotations

from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.directory.models import DirectoryGroup, DirectoryUser
from servicedesk.tickets.directory.repository import KeycloakDirectory


async def assignable_users(
    directory: KeycloakDirectory, query: str | None, limit: int
) -> list[DirectoryUser]:
    return await directory.assignable_users(query, limit)


async def user(directory: KeycloakDirectory, user_id: str) -> DirectoryUser:
    found = await directory.get_user(user_id)
    if found is None:
        raise NotFound(_t("no user {user_id} in the directory", user_id=user_id))
    return found


async def groups(directory: KeycloakDirectory, query: str | None) -> list[DirectoryGroup]:
    return await directory.groups(query)
