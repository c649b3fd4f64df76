"""The directory's records: users and groups as read from Keycloak (not stored here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DirectoryGroup:
    id: str
    name: str
    path: str  # "/parent/child", as Keycloak writes it


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    """A Keycloak user.

    From `get_user` / `find_user_by_username`: `roles` are all effective realm roles (composites
    expanded, group roles included) and `groups` all the groups the user is a direct member of.
    From `assignable_users`: `roles` are only the agent-family roles the user holds (agent,
    supervisor, admin, expanded) and `groups` is empty; ask `get_user` for the whole picture.
    """

    id: str
    username: str
    display_name: str
    email: str | None
    enabled: bool = True
    roles: frozenset[str] = frozenset()
    groups: tuple[DirectoryGroup, ...] = ()

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.groups)

    def has_any_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    def matches(self, query: str) -> bool:
        """Case-insensitive substring of the username, the name or the email."""
        needle = query.casefold()
        return any(
            needle in (v or "").casefold() for v in (self.username, self.display_name, self.email)
        )
