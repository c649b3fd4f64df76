"""Who can be assigned work: users and groups read from Keycloak's Admin REST API.

The tickets service asks with its own service account (client credentials). That account holds
the realm-management roles view-users, query-users, query-groups and view-realm (the last one
because `GET /roles/{role}/users` and `/roles/{role}/groups` check it).

Keycloak's `/roles/{role}/users` lists *direct* role members only, while our demo realm grants
every role through groups. So the assignable users are the union, over agent and the roles
that include it (supervisor, admin), of the direct members and of the members of every group
holding the role, or nested under such a group (subgroups inherit their parents' roles).

Answers are cached in Redis for a short while (see `cache`). Keycloak unreachable or failing
is a 503 `directory-unavailable` with Retry-After, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter
from redis.asyncio import Redis

from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.tickets.directory.cache import CACHE_TTL_S, DirectoryCache
from servicedesk.tickets.directory.errors import DirectoryUnavailable
from servicedesk.tickets.directory.models import DirectoryGroup, DirectoryUser

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
PAGE_SIZE = 100
MAX_ITEMS = 10_000  # a bound on any paged listing, far above a service desk's staff
SERVICE_ACCOUNT_PREFIX = "service-account-"

# The realm roles that make a user assignable, with what each one includes (its composites in
# deploy/keycloak/realm-servicedesk.json: admin includes supervisor, which includes agent).
ASSIGNABLE_ROLES: Mapping[str, frozenset[str]] = {
    "agent": frozenset({"agent"}),
    "supervisor": frozenset({"supervisor", "agent"}),
    "admin": frozenset({"admin", "supervisor", "agent"}),
}

Raw = dict[str, Any]
_USER = TypeAdapter(DirectoryUser)
_USERS = TypeAdapter(list[DirectoryUser])
_GROUP = TypeAdapter(DirectoryGroup)
_GROUPS = TypeAdapter(list[DirectoryGroup])
_USER_ID = TypeAdapter(str)


class KeycloakDirectory:
    """Users and groups of the realm, read with the tickets service's own service account."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        keycloak: KeycloakSettings,
        redis: Redis | None,
        *,
        cache_ttl_s: int = CACHE_TTL_S,
        timeout_s: float = 5.0,
        redis_backoff_s: float = 5.0,
    ) -> None:
        self.http = http
        self.keycloak = keycloak
        self.timeout_s = timeout_s
        self.base_url = f"{keycloak.url}/admin/realms/{quote(keycloak.realm, safe='')}"
        self._credentials = ClientCredentials(keycloak, http)
        self._cache = DirectoryCache(redis, cache_ttl_s, redis_backoff_s)

    # -- users ----------------------------------------------------------------------------

    async def assignable_users(
        self, query: str | None = None, limit: int = 50
    ) -> list[DirectoryUser]:
        """Enabled users holding agent (directly, through a group, or through supervisor/admin),
        matching the query (case-insensitive, in username, name or email), by display name."""
        users = await self._cache.cached("assignable", _USERS, self._load_assignable) or []
        needle = (query or "").strip()
        found = [u for u in users if u.enabled and (not needle or u.matches(needle))]
        return found[: max(limit, 0)]

    async def get_user(self, user_id: str) -> DirectoryUser | None:
        """The user with their effective realm roles and groups; None if there is no such user."""
        if not _plausible_id(user_id):
            return None
        return await self._cache.cached(f"user:{user_id}", _USER, lambda: self._load_user(user_id))

    async def find_user_by_username(self, username: str) -> DirectoryUser | None:
        """The user with exactly this username (Keycloak keeps usernames in lower case)."""
        username = username.strip().lower()
        if not username:
            return None
        user_id = await self._cache.cached(
            f"username:{username}", _USER_ID, lambda: self._load_user_id(username)
        )
        user = await self.get_user(user_id) if user_id is not None else None
        if user_id is not None and (user is None or user.username != username):
            # A stale id (the user re-created meanwhile): ask Keycloak once more, uncached.
            user_id = await self._load_user_id(username)
            user = await self.get_user(user_id) if user_id is not None else None
        return user

    async def user_group_ids(self, user_id: str) -> list[str]:
        """Ids of the groups the user is a direct member of ([] for an unknown user)."""
        user = await self.get_user(user_id)
        return list(user.group_ids) if user is not None else []

    # -- groups ---------------------------------------------------------------------------

    async def groups(self, query: str | None = None) -> list[DirectoryGroup]:
        """All groups, subgroups included, by path; with a query, those whose name or path
        contains it (case-insensitive)."""
        groups = await self._group_tree()
        needle = (query or "").strip().casefold()
        if not needle:
            return groups
        return [g for g in groups if needle in g.name.casefold() or needle in g.path.casefold()]

    async def get_group(self, group_id: str) -> DirectoryGroup | None:
        if not _plausible_id(group_id):
            return None
        return await self._cache.cached(
            f"group:{group_id}", _GROUP, lambda: self._load_group(group_id)
        )

    # -- loading from Keycloak ------------------------------------------------------------

    async def _load_assignable(self) -> list[DirectoryUser]:
        roles = list(ASSIGNABLE_ROLES)
        tree, direct, holding = await asyncio.gather(
            self._group_tree(),
            asyncio.gather(*(self._all(f"/roles/{quote(r, safe='')}/users") for r in roles)),
            asyncio.gather(*(self._all(f"/roles/{quote(r, safe='')}/groups") for r in roles)),
        )
        found: dict[str, Raw] = {}
        roles_of: dict[str, set[str]] = {}

        def add(raw: Raw, implied: Iterable[str]) -> None:
            user_id = str(raw["id"])
            found.setdefault(user_id, raw)
            roles_of.setdefault(user_id, set()).update(implied)

        for role, members in zip(roles, direct, strict=True):
            for raw in members:
                add(raw, ASSIGNABLE_ROLES[role])
        group_roles: dict[str, set[str]] = {}
        for role, groups in zip(roles, holding, strict=True):
            for group in groups:
                for held in _with_descendants(str(group["id"]), str(group.get("path", "")), tree):
                    group_roles.setdefault(held, set()).update(ASSIGNABLE_ROLES[role])
        members_of = await asyncio.gather(
            *(self._all(f"/groups/{quote(g, safe='')}/members") for g in group_roles)
        )
        for group_id, members in zip(group_roles, members_of, strict=True):
            for raw in members:
                add(raw, group_roles[group_id])
        users = [
            _user(raw, roles=frozenset(roles_of[user_id]))
            for user_id, raw in found.items()
            if not str(raw.get("username", "")).startswith(SERVICE_ACCOUNT_PREFIX)
        ]
        return sorted(users, key=lambda u: (u.display_name.casefold(), u.username))

    async def _load_user(self, user_id: str) -> DirectoryUser | None:
        path = f"/users/{quote(user_id, safe='')}"
        raw, roles, groups = await asyncio.gather(
            self._get(path, {"userProfileMetadata": "false"}),
            self._get(f"{path}/role-mappings/realm/composite", {"briefRepresentation": "true"}),
            self._all(f"{path}/groups"),
        )
        if not isinstance(raw, dict):
            return None
        return _user(
            raw,
            roles=frozenset(str(r["name"]) for r in roles or []),
            groups=tuple(sorted((_group(g) for g in groups), key=lambda g: g.path)),
        )

    async def _load_user_id(self, username: str) -> str | None:
        params = {"username": username, "exact": "true", "briefRepresentation": "true", "max": "5"}
        for raw in await self._get("/users", params) or []:
            if str(raw.get("username", "")).lower() == username:
                return str(raw["id"])
        return None

    async def _group_tree(self) -> list[DirectoryGroup]:
        return await self._cache.cached("groups", _GROUPS, self._load_groups) or []

    async def _load_groups(self) -> list[DirectoryGroup]:
        """The whole group tree, flattened; each level's children asked for together."""
        seen: dict[str, DirectoryGroup] = {}
        level = await self._all("/groups")
        while level and len(seen) < MAX_ITEMS:
            parents = []
            for raw in level:
                group = _group(raw)
                if group.id in seen:
                    continue
                seen[group.id] = group
                if raw.get("subGroupCount") is None or int(raw["subGroupCount"]) > 0:
                    parents.append(group.id)
            children = await asyncio.gather(
                *(self._all(f"/groups/{quote(p, safe='')}/children") for p in parents)
            )
            level = [child for page in children for child in page]
        return sorted(seen.values(), key=lambda g: g.path)

    async def _load_group(self, group_id: str) -> DirectoryGroup | None:
        raw = await self._get(f"/groups/{quote(group_id, safe='')}")
        return _group(raw) if isinstance(raw, dict) else None

    # -- HTTP -----------------------------------------------------------------------------

    async def _all(self, path: str, params: Mapping[str, str] | None = None) -> list[Raw]:
        """Every item of a paged listing (first/max); [] when Keycloak answers 404."""
        items: list[Raw] = []
        while len(items) < MAX_ITEMS:
            page_params = {
                "briefRepresentation": "true",
                **(params or {}),
                "first": str(len(items)),
                "max": str(PAGE_SIZE),
            }
            page = await self._get(path, page_params)
            if not isinstance(page, list):
                break
            items.extend(page)
            if len(page) < PAGE_SIZE:
                break
        return items

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The JSON body, or None on 404; anything but 200/404 makes the directory unavailable."""
        response = await self._send(path, params)
        if response.status_code == httpx.codes.UNAUTHORIZED:
            # Our token was revoked, or the realm re-created with new keys: one new token.
            self._credentials = ClientCredentials(self.keycloak, self.http)
            response = await self._send(path, params)
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code != httpx.codes.OK:
            level = logging.WARNING if response.status_code >= 500 else logging.ERROR
            log.log(
                level,
                "keycloak admin API refused a directory read",
                extra={"path": path, "status": response.status_code},
            )
            raise _unavailable(f"HTTP {response.status_code} from Keycloak")
        try:
            return response.json()
        except ValueError as exc:
            raise _unavailable(_t("Keycloak answered with something other than JSON")) from exc

    async def _send(self, path: str, params: Mapping[str, str] | None) -> httpx.Response:
        try:
            return await self.http.get(
                f"{self.base_url}{path}",
                params=params,
                auth=self._credentials,
                timeout=self.timeout_s,
            )
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            # HTTPError: Keycloak unreachable or slow, or no service token (token() raises on
            # a refused grant); KeyError/ValueError: a token answer we could not read.
            log.warning("keycloak admin API unreachable", extra={"path": path}, exc_info=True)
            raise _unavailable(type(exc).__name__) from exc


def _unavailable(reason: str) -> DirectoryUnavailable:
    return DirectoryUnavailable(
        _t("the user directory cannot be read now ({reason}); try again shortly", reason=reason),
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _plausible_id(value: str) -> bool:
    """Ids go into URL paths: refuse empty ones, slashes and dot segments ("." / "..")."""
    return 0 < len(value) <= 255 and value.strip(".") != "" and not {"/", "\\"} & set(value)


def _user(
    raw: Raw, roles: frozenset[str] = frozenset(), groups: tuple[DirectoryGroup, ...] = ()
) -> DirectoryUser:
    username = str(raw.get("username", ""))
    names = (raw.get("firstName") or "", raw.get("lastName") or "")
    display_name = " ".join(n.strip() for n in names if n and n.strip()) or username
    return DirectoryUser(
        id=str(raw["id"]),
        username=username,
        display_name=display_name,
        email=raw.get("email") or None,
        enabled=bool(raw.get("enabled", True)),
        roles=roles,
        groups=groups,
    )


def _group(raw: Raw) -> DirectoryGroup:
    name = str(raw.get("name", ""))
    return DirectoryGroup(id=str(raw["id"]), name=name, path=str(raw.get("path") or f"/{name}"))


def _with_descendants(group_id: str, path: str, tree: Iterable[DirectoryGroup]) -> list[str]:
    """The group and every group nested under it (they inherit its roles)."""
    prefix = f"{path}/"
    return [group_id, *(g.id for g in tree if path and g.path.startswith(prefix))]
