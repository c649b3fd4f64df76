"""The user and group directory (Keycloak), for pickers and for other services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from servicedesk.kernel.errors import NotFound, problems
from servicedesk.tickets.auth import DirectoryReader
from servicedesk.tickets.directory import service
from servicedesk.tickets.directory.errors import DirectoryUnavailable
from servicedesk.tickets.directory.schemas import (
    DirectoryGroupOut,
    DirectoryUserDetailOut,
    DirectoryUserOut,
)
from servicedesk.tickets.state import DirectoryDep

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])
Id = Annotated[str, Path(max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9:._@-]*$")]
Search = Annotated[str | None, Query(max_length=100, description="part of a name or email")]


@router.get(
    "/users", response_model=list[DirectoryUserOut], responses=problems(DirectoryUnavailable)
)
async def list_assignable_users(
    _: DirectoryReader,
    directory: DirectoryDep,
    q: Search = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DirectoryUserOut]:
    """Users work can be assigned to (agents, supervisors, admins), by display name."""
    users = await service.assignable_users(directory, q, limit)
    return [DirectoryUserOut.of(u) for u in users]


@router.get(
    "/users/{user_id}",
    response_model=DirectoryUserDetailOut,
    responses=problems(NotFound, DirectoryUnavailable),
)
async def get_user(
    _: DirectoryReader, directory: DirectoryDep, user_id: Id
) -> DirectoryUserDetailOut:
    """Any user of the realm, with their effective realm roles and their groups."""
    return DirectoryUserDetailOut.of(await service.user(directory, user_id))


@router.get(
    "/groups", response_model=list[DirectoryGroupOut], responses=problems(DirectoryUnavailable)
)
async def list_groups(
    _: DirectoryReader, directory: DirectoryDep, q: Search = None
) -> list[DirectoryGroupOut]:
    """Every group, subgroups included, by path; with q, those whose name or path contains it."""
    groups = await service.groups(directory, q)
    return [DirectoryGroupOut.of(g) for g in groups]
