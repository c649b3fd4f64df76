"""The directory for the endpoints and the start-up: the Keycloak directory on the app state,
and the lookups the pickers make."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.tickets.directory.models import DirectoryGroup, DirectoryUser
from servicedesk.tickets.directory.repository import KeycloakDirectory


def directory_startup(keycloak: KeycloakSettings) -> Callable[[FastAPI], Awaitable[None]]:
    """A start-up hook putting the directory on `app.state.directory` (kernel HTTP and Redis)."""

    async def open_directory(app: FastAPI) -> None:
        redis = getattr(app.state, "redis", None)
        app.state.directory = KeycloakDirectory(app.state.http, keycloak, redis)

    return open_directory


def directory_of(request: Request) -> KeycloakDirectory:
    directory: KeycloakDirectory = request.app.state.directory
    return directory


DirectoryDep = Annotated[KeycloakDirectory, Depends(directory_of)]


async def assignable_users(
    directory: KeycloakDirectory, query: str | None, limit: int
) -> list[DirectoryUser]:
    return await directory.assignable_users(query, limit)


async def user(directory: KeycloakDirectory, user_id: str) -> DirectoryUser:
    found = await directory.get_user(user_id)
    if found is None:
        raise NotFound(f"no user {user_id} in the directory")
    return found


async def groups(directory: KeycloakDirectory, query: str | None) -> list[DirectoryGroup]:
    return await directory.groups(query)
