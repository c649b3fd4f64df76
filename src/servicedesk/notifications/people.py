"""The people of the realm as the notifications see them: who they are, their language, their
groups and roles. Read from Keycloak's Admin REST API with this service's account
(realm-management view-users, query-users, query-groups, view-realm), kept in memory and
refreshed in the background; when Keycloak cannot answer, the last directory stays."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from servicedesk.kernel.service_client import CallFailed, ServiceClient
from servicedesk.notifications.catalogue import ROLES, STAFF_ROLES

log = logging.getLogger(__name__)
PAGE = 200
SERVICE_ACCOUNT_PREFIX = "service-account-"
# What each realm role includes (its composites in deploy/keycloak/realm-servicedesk.json).
IMPLIED: dict[str, frozenset[str]] = {
    "admin": frozenset({"admin", "supervisor", "agent"}),
    "supervisor": frozenset({"supervisor", "agent"}),
    "agent": frozenset({"agent"}),
    "reporter": frozenset({"reporter"}),
}


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    username: str
    name: str
    email: str | None
    locale: str | None
    roles: frozenset[str] = frozenset()
    group_ids: frozenset[str] = frozenset()
    group_paths: tuple[str, ...] = ()

    @property
    def is_staff(self) -> bool:
        return not self.roles.isdisjoint(STAFF_ROLES)

    @property
    def main_role(self) -> str:
        """The role whose defaults the person's matrix starts from."""
        return next((r for r in ROLES if r in self.roles), "reporter")


@dataclass(slots=True)
class People:
    """One snapshot of the directory."""

    by_id: dict[str, Person] = field(default_factory=dict)
    by_username: dict[str, Person] = field(default_factory=dict)
    group_members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group id -> ids
    group_paths: dict[str, str] = field(default_factory=dict)  # group id -> path

    @classmethod
    def of(cls, persons: list[Person], group_paths: dict[str, str]) -> People:
        members: dict[str, list[str]] = {}
        for person in persons:
            for group in person.group_ids:
                members.setdefault(group, []).append(person.id)
        return cls(
            {p.id: p for p in persons},
            {p.username: p for p in persons},
            {g: tuple(ids) for g, ids in members.items()},
            group_paths,
        )

    def members_of(self, group_id: str | None) -> list[Person]:
        if not group_id:
            return []
        return [self.by_id[i] for i in self.group_members.get(group_id, ())]

    def holders_of(self, role: str) -> list[Person]:
        return [p for p in self.by_id.values() if role in p.roles]


def _name(raw: dict[str, Any]) -> str:
    parts = (raw.get("firstName"), raw.get("lastName"))
    return " ".join(p for p in parts if p) or str(raw["username"])


class Directory:
    """The realm's people, refreshed every `refresh_s`; `people` is always a whole snapshot."""

    def __init__(self, keycloak: ServiceClient, realm: str, refresh_s: float = 60.0) -> None:
        self.keycloak = keycloak
        self.base = f"/admin/realms/{quote(realm, safe='')}"
        self.refresh_s = refresh_s
        self.people = People()
        self.loaded = asyncio.Event()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the last directory serves until Keycloak answers
                log.warning("the realm directory could not be read; keeping the last one")
            await asyncio.sleep(self.refresh_s if self.loaded.is_set() else 2.0)

    async def refresh(self) -> None:
        users, groups = await asyncio.gather(self._all("/users"), self._groups())
        direct = await asyncio.gather(
            *(self._all(f"/roles/{quote(role, safe='')}/users") for role in IMPLIED)
        )
        direct_roles: dict[str, set[str]] = {}
        for role, holders in zip(IMPLIED, direct, strict=True):
            for holder in holders:
                direct_roles.setdefault(str(holder["id"]), set()).update(IMPLIED[role])
        members = await asyncio.gather(
            *(self._all(f"/groups/{quote(g['id'], safe='')}/members") for g in groups)
        )
        user_groups: dict[str, list[dict[str, Any]]] = {}
        for group, group_members in zip(groups, members, strict=True):
            for member in group_members:
                user_groups.setdefault(str(member["id"]), []).append(group)
        persons = [
            self._person(raw, direct_roles.get(str(raw["id"]), set()), user_groups)
            for raw in users
            if raw.get("enabled", True)
            and not str(raw.get("username", "")).startswith(SERVICE_ACCOUNT_PREFIX)
        ]
        self.people = People.of(persons, {g["id"]: g["path"] for g in groups})
        self.loaded.set()

    def _person(
        self, raw: dict[str, Any], roles: set[str], user_groups: dict[str, list[dict[str, Any]]]
    ) -> Person:
        groups = user_groups.get(str(raw["id"]), [])
        held = set(roles)
        for group in groups:
            for role in group.get("roles", ()):
                held |= IMPLIED.get(role, {role})
        attributes = raw.get("attributes") or {}
        locale = (attributes.get("locale") or [None])[0]
        return Person(
            id=str(raw["id"]),
            username=str(raw["username"]),
            name=_name(raw),
            email=raw.get("email"),
            locale=locale,
            roles=frozenset(held),
            group_ids=frozenset(g["id"] for g in groups),
            group_paths=tuple(g["path"] for g in groups),
        )

    async def _groups(self) -> list[dict[str, Any]]:
        """Every group, subgroups too, with the realm roles it grants (inherited by children)."""
        found: list[dict[str, Any]] = []

        async def walk(raws: list[dict[str, Any]], inherited: frozenset[str]) -> None:
            for raw in raws:
                roles = inherited | frozenset(raw.get("realmRoles") or ())
                found.append({"id": str(raw["id"]), "path": str(raw["path"]), "roles": roles})
                children = raw.get("subGroups") or []
                if not children and raw.get("subGroupCount"):
                    children = await self._all(
                        f"/groups/{quote(str(raw['id']), safe='')}/children",
                        {"briefRepresentation": "false"},
                    )
                await walk(children, roles)

        await walk(await self._all("/groups", {"briefRepresentation": "false"}), frozenset())
        return found

    async def _all(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            query = {**(params or {}), "first": str(len(items)), "max": str(PAGE)}
            try:
                response = await self.keycloak.request("GET", self.base + path, params=query)
            except CallFailed as exc:
                raise DirectoryUnavailable(str(exc)) from exc
            if response.status_code != 200:
                raise DirectoryUnavailable(f"{path}: HTTP {response.status_code}")
            page: list[dict[str, Any]] = response.json()
            items.extend(page)
            if len(page) < PAGE:
                return items


class DirectoryUnavailable(RuntimeError):
    """Keycloak did not answer a directory read."""
