"""The user and group directory (Keycloak), for pickers and for other services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Request
from pydantic import BaseModel

from servicedesk.kernel.errors import NotFound, problems
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.tickets.auth import DirectoryReader
from servicedesk.tickets.directory import (
    DirectoryGroup,
    DirectoryUnavailable,
    DirectoryUser,
    KeycloakDirectory,
)

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])
Id = Annotated[str, Path(max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9:._@-]*$")]
Search = Annotated[str | None, Query(max_length=100, description="part of a name or email")]


class DirectoryUserOut(BaseModel):
    id: str
    username: str
    display_name: str
    email: str | None

    @classmethod
    def of(cls, user: DirectoryUser) -> DirectoryUserOut:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name, email=user.email
        )


class DirectoryGroupOut(BaseModel):
    id: str
    name: str
    path: str

    @classmethod
    def of(cls, group: DirectoryGroup) -> DirectoryGroupOut:
        return cls(id=group.id, name=group.name, path=group.path)


class DirectoryUserDetailOut(DirectoryUserOut):
    enabled: bool
    roles: list[str]  # effective realm roles, composites expanded
    groups: list[DirectoryGroupOut]


def directory_startup(keycloak: KeycloakSettings) -> Callable[[FastAPI], Awaitable[None]]:
    """A start-up hook putting the directory on `app.state.directory` (kernel HTTP and Redis)."""

    async def open_directory(app: FastAPI) -> None:
        redis = getattr(app.state, "redis", None)
        app.state.directory = KeycloakDirectory(app.state.http, keycloak, redis)

    return open_directory


def _directory(request: Request) -> KeycloakDirectory:
    directory: KeycloakDirectory = request.app.state.directory
    return directory


@router.get(
    "/users", response_model=list[DirectoryUserOut], responses=problems(DirectoryUnavailable)
)
async def list_assignable_users(
    _: DirectoryReader,
    request: Request,
    q: Search = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DirectoryUserOut]:
    """Users work can be assigned to (agents, supervisors, admins), by display name."""
    users = await _directory(request).assignable_users(q, limit)
    return [DirectoryUserOut.of(u) for u in users]


@router.get(
    "/users/{user_id}",
    response_model=DirectoryUserDetailOut,
    responses=problems(NotFound, DirectoryUnavailable),
)
async def get_user(_: DirectoryReader, request: Request, user_id: Id) -> DirectoryUserDetailOut:
    """Any user of the realm, with their effective realm roles and their groups."""
    user = await _directory(request).get_user(user_id)
    if user is None:
        raise NotFound(f"no user {user_id} in the directory")
    return DirectoryUserDetailOut(
        **DirectoryUserOut.of(user).model_dump(),
        enabled=user.enabled,
        roles=sorted(user.roles),
        groups=[DirectoryGroupOut.of(g) for g in user.groups],
    )


@router.get(
    "/groups", response_model=list[DirectoryGroupOut], responses=problems(DirectoryUnavailable)
)
async def list_groups(
    _: DirectoryReader, request: Request, q: Search = None
) -> list[DirectoryGroupOut]:
    """Every group, subgroups included, by path; with q, those whose name or path contains it."""
    groups = await _directory(request).groups(q)
    return [DirectoryGroupOut.of(g) for g in groups]
