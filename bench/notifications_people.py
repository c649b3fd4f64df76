"""The people of the notifications burst: a Keycloak realm of the bench's own and the
preferences of its 200 users, apart from the demo realm and from the tests' people.

The realm `servicedesk-bench` holds what the notifications service reads of a realm (ADR 0027,
src/servicedesk/notifications/people.py), taken from deploy/keycloak/realm-servicedesk.json:
the realm roles agent, supervisor (includes agent), admin (includes supervisor) and reporter;
groups that grant them; the client `servicedesk-notifications` with its service account and the
realm-management roles view-users, query-users, query-groups and view-realm; and 200 users.
It is created in one import through the Admin API, and kept: a later run finds it carrying the
hash of the same representation and reuses it, or replaces it when the representation changed.
User ids are fixed (uuid5 of the username), so the bench's rows in the tests' database are
found by them, whatever run left them.
"""

from __future__ import annotations

import hashlib
import json
import random
import time as clock
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.notifications.catalogue import Channel, Kind, Scope
from servicedesk.notifications.decide.preferences import matrix_json
from servicedesk.notifications.policy import Policy, load_policy
from servicedesk.notifications.settings import POLICY_FILE
from servicedesk.ops.keycloak_realm import admin_session

REALM = "servicedesk-bench"
HASH_ATTRIBUTE = "servicedeskBenchHash"
ID_NAMESPACE = uuid.UUID("5dbe0c40-6e6f-4c1a-9b1e-6e6f74696679")
SERVICE_ACCOUNT_ROLES = ["view-users", "query-users", "query-groups", "view-realm"]
ROLES: list[dict[str, Any]] = [
    {"name": "agent", "composite": False},
    {"name": "supervisor", "composite": True, "composites": {"realm": ["agent"]}},
    {"name": "admin", "composite": True, "composites": {"realm": ["supervisor"]}},
    {"name": "reporter", "composite": False},
    {"name": "service", "composite": False},
]
# Agents work in six lines of 20; supervisors and administrators hold their roles through a
# group as in the demo realm; reporters hold theirs directly (the directory reads both ways).
LINES = [f"line-{n}" for n in range(1, 7)]
AGENTS_PER_LINE = 20
SUPERVISORS = 20
ADMINS = 5
REPORTERS = 55
ZONES = ("Europe/Moscow", "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Vladivostok", "UTC")
FIRST_NAMES = ("Анна", "Иван", "Olga", "Пётр", "Maria", "Сергей", "John", "Елена")
LAST_NAMES = ("Смирнова", "Кузнецов", "Ivanova", "Попов", "Brown", "Соколов", "Smith", "Волкова")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    username: str
    role: str  # agent, supervisor, admin, reporter
    group: str | None  # the group's name; reporters have none
    locale: str

    @property
    def is_staff(self) -> bool:
        return self.role != "reporter"

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


@dataclass(frozen=True, slots=True)
class Realm:
    people: list[Person]
    group_ids: dict[str, str]  # group name -> id in the realm
    created: bool  # False: reused as it was
    seconds: float  # to check it, and to create it when it was missing or out of date

    def of_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]

    def of_line(self, line: str) -> list[Person]:
        return [p for p in self.people if p.group == line]


def user_id(username: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, username))


def bench_people() -> list[Person]:
    """The 200 users: 120 agents in six lines, 20 supervisors, 5 admins, 55 reporters."""
    people: list[Person] = []

    def add(username: str, role: str, group: str | None) -> None:
        locale = "en" if len(people) % 4 == 3 else "ru"
        people.append(Person(user_id(username), username, role, group, locale))

    for line in LINES:
        for n in range(1, AGENTS_PER_LINE + 1):
            add(f"nb-{line}-{n:02d}", "agent", line)
    for n in range(1, SUPERVISORS + 1):
        add(f"nb-supervisor-{n:02d}", "supervisor", "supervisors")
    for n in range(1, ADMINS + 1):
        add(f"nb-admin-{n:02d}", "admin", "administrators")
    for n in range(1, REPORTERS + 1):
        add(f"nb-reporter-{n:02d}", "reporter", None)
    return people


# --- the realm ---------------------------------------------------------------------------------


def _user(person: Person, n: int) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": person.id,
        "username": person.username,
        "enabled": True,
        "email": person.email,
        "emailVerified": True,
        "firstName": FIRST_NAMES[n % len(FIRST_NAMES)],
        "lastName": LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
        "attributes": {"locale": [person.locale]},
        "requiredActions": [],
    }
    if person.group is not None:
        user["groups"] = [f"/{person.group}"]
    else:
        user["realmRoles"] = [person.role]
    return user


def representation(people: list[Person], client: KeycloakSettings) -> dict[str, Any]:
    """The whole realm as one import (without the hash attribute)."""
    groups = [{"name": line, "path": f"/{line}", "realmRoles": ["agent"]} for line in LINES]
    groups += [
        {"name": "supervisors", "path": "/supervisors", "realmRoles": ["supervisor"]},
        {"name": "administrators", "path": "/administrators", "realmRoles": ["admin"]},
    ]
    service_account = {
        "username": f"service-account-{client.client_id}",
        "enabled": True,
        "serviceAccountClientId": client.client_id,
        "realmRoles": ["service"],
        "clientRoles": {"realm-management": SERVICE_ACCOUNT_ROLES},
    }
    return {
        "realm": REALM,
        "displayName": "Service Desk: notifications bench",
        "enabled": True,
        "sslRequired": "external",
        "internationalizationEnabled": True,
        "supportedLocales": ["ru", "en"],
        "defaultLocale": "ru",
        "roles": {"realm": ROLES},
        "groups": groups,
        "clients": [
            {
                "clientId": client.client_id,
                "name": "notifications (bench)",
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": client.client_secret.get_secret_value(),
                "standardFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "serviceAccountsEnabled": True,
                "fullScopeAllowed": True,
            }
        ],
        "users": [service_account, *(_user(p, n) for n, p in enumerate(people))],
    }


def _checked(response: httpx.Response, action: str) -> httpx.Response:
    if response.is_error:
        raise RuntimeError(f"keycloak: {action}: HTTP {response.status_code} {response.text[:300]}")
    return response


async def ensure_realm(client: KeycloakSettings) -> Realm:
    """The bench realm as `representation` describes it: reused when its hash matches, else
    (re)created. Touches no other realm."""
    started = clock.perf_counter()
    people = bench_people()
    wanted = representation(people, client)
    digest = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    wanted["attributes"] = {HASH_ATTRIBUTE: digest}
    async with admin_session(base_url=client.url) as admin:
        found = await admin.get(f"/admin/realms/{REALM}")
        deployed = None
        if found.status_code != 404:
            deployed = (_checked(found, "read").json().get("attributes") or {}).get(HASH_ATTRIBUTE)
            if deployed != digest:
                _checked(await admin.delete(f"/admin/realms/{REALM}"), "delete the old one")
        created = deployed != digest
        if created:
            admin.timeout = httpx.Timeout(300.0)
            _checked(await admin.post("/admin/realms", json=wanted), f"create {REALM}")
        listed = _checked(await admin.get(f"/admin/realms/{REALM}/groups"), "list groups")
        group_ids = {str(g["name"]): str(g["id"]) for g in listed.json()}
        count = _checked(await admin.get(f"/admin/realms/{REALM}/users/count"), "count users")
    if int(count.text) != len(people):  # the count leaves the service account out
        raise RuntimeError(f"{REALM} holds {count.text} users, expected {len(people)}")
    return Realm(people, group_ids, created, clock.perf_counter() - started)


async def delete_realm(client: KeycloakSettings) -> None:
    async with admin_session(base_url=client.url) as admin:
        response = await admin.delete(f"/admin/realms/{REALM}")
        if response.status_code != 404:
            _checked(response, f"delete {REALM}")


# --- preferences -------------------------------------------------------------------------------

PROFILES = ("defaults", "quiet", "quiet+mail", "mail", "telegram", "sms", "email_off")
UPSERT = """
insert into notifications.preferences
    (user_id, matrix, quiet_enabled, quiet_start, quiet_end, timezone, email_off)
values ($1, $2::jsonb, $3, $4, $5, $6, $7::jsonb)
on conflict (user_id) do update set
    matrix = excluded.matrix, quiet_enabled = excluded.quiet_enabled,
    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
    timezone = excluded.timezone, email_off = excluded.email_off, updated_at = now()
"""
Cells = dict[str, dict[str, list[str]]]


@dataclass(frozen=True, slots=True)
class Preference:
    person: Person
    profile: str
    matrix: Cells | None  # None: the role's defaults
    quiet: tuple[time, time] | None
    quiet_now: bool  # the quiet hours hold mail, Telegram and SMS during the run
    timezone: str | None
    email_off: list[str]


def _add(cells: Cells, kind: Kind, scope: Scope, *channels: Channel) -> None:
    chosen = set(cells.setdefault(kind.value, {}).get(scope.value, [])) | {
        c.value for c in channels
    }
    cells[kind.value][scope.value] = sorted(chosen)


def _matrix(profile: str, defaults: Cells) -> Cells | None:
    cells: Cells = json.loads(json.dumps(defaults))
    if profile in ("mail", "quiet+mail"):
        for kind, scopes in cells.items():
            for scope in scopes:
                _add(cells, Kind(kind), Scope(scope), Channel.EMAIL)
    elif profile == "telegram":
        _add(cells, Kind.INCIDENT_ASSIGNED, Scope.MINE, Channel.IN_APP, Channel.TELEGRAM)
        _add(cells, Kind.MENTIONED, Scope.MINE, Channel.IN_APP, Channel.TELEGRAM)
        _add(cells, Kind.INCIDENT_COMMENTED, Scope.MINE, Channel.IN_APP, Channel.TELEGRAM)
    elif profile == "sms":
        _add(cells, Kind.INCIDENT_ASSIGNED, Scope.MINE, Channel.IN_APP, Channel.SMS)
        _add(cells, Kind.SLA_BREACHED, Scope.MINE, Channel.SMS)
    elif profile == "all":
        _add(cells, Kind.INCIDENT_CREATED, Scope.ALL, Channel.IN_APP)
        _add(cells, Kind.INCIDENT_STATUS_CHANGED, Scope.ALL, Channel.IN_APP)
    else:
        return None
    return cells


def _quiet(zone: str, now: datetime, inside: bool) -> tuple[time, time]:
    """Quiet hours of eight hours that hold the run (inside) or lie well away from it."""
    local = now.astimezone(ZoneInfo(zone))
    start = local - timedelta(hours=2) if inside else local + timedelta(hours=6)
    end = start + timedelta(hours=8)
    return start.time().replace(second=0, microsecond=0), end.time().replace(
        second=0, microsecond=0
    )


def bench_preferences(realm: Realm, policy: Policy | None = None) -> list[Preference]:
    """A fixed mix (the same every run): 40% keep their role's defaults (no row); the others
    have quiet hours (half of them holding the run), mail on every cell, Telegram or SMS for
    assignments and mentions, or a kind of mail turned off; every third supervisor and admin
    hears of every new incident and status change (scope `all`)."""
    policy = policy or load_policy(POLICY_FILE)
    rng = random.Random(27)
    now = datetime.now(UTC)
    cycle = ["defaults"] * 4 + ["quiet", "quiet+mail", "mail", "telegram", "sms", "email_off"]
    chosen: list[Preference] = []
    for n, person in enumerate(realm.people):
        profile = cycle[rng.randrange(len(cycle))]
        if person.role in ("supervisor", "admin") and n % 3 == 0:
            profile = "all"
        if profile == "defaults":
            continue
        zone = ZONES[n % len(ZONES)]
        quiet_now = profile.startswith("quiet") and n % 2 == 0
        defaults = matrix_json(policy.defaults_for(person.role))
        chosen.append(
            Preference(
                person,
                profile,
                _matrix(profile, defaults),
                _quiet(zone, now, quiet_now) if profile.startswith("quiet") else None,
                quiet_now,
                zone,
                [Kind.INCIDENT_COMMENTED.value] if profile == "email_off" else [],
            )
        )
    return chosen


async def write_preferences(database: asyncpg.Connection, chosen: list[Preference]) -> None:
    """The rows, replacing any of an earlier run; people left out keep no row."""
    ids = [p.id for p in bench_people()]
    async with database.transaction():
        await database.execute("delete from notifications.preferences where user_id = any($1)", ids)
        await database.executemany(
            UPSERT,
            [
                (
                    p.person.id,
                    json.dumps(p.matrix) if p.matrix is not None else None,
                    p.quiet is not None,
                    p.quiet[0] if p.quiet else time(22, 0),
                    p.quiet[1] if p.quiet else time(8, 0),
                    p.timezone,
                    json.dumps(p.email_off),
                )
                for p in chosen
            ],
        )
