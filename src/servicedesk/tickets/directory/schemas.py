"""What the directory API answers."""

from __future__ import annotations

from pydantic import BaseModel

from servicedesk.tickets.directory.models import DirectoryGroup, DirectoryUser


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

    @classmethod
    def of(cls, user: DirectoryUser) -> DirectoryUserDetailOut:
        return cls(
            **DirectoryUserOut.of(user).model_dump(),
            enabled=user.enabled,
            roles=sorted(user.roles),
            groups=[DirectoryGroupOut.of(g) for g in user.groups],
        )
