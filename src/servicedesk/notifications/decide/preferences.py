"""A person's preferences: their matrix (kind × scope × channel), quiet hours, time zone, daily
summary and the kinds they unsubscribed from by mail. Until they change it, the matrix is their
main role's defaults (config/policy.yaml); locked cells are always on."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from sqlalchemy import select

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.notifications.catalogue import Channel, Kind, Matrix, Scope
from servicedesk.notifications.models import preferences
from servicedesk.notifications.people import Person
from servicedesk.notifications.policy import Policy, parse_matrix, with_locked

CACHE_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class Preferences:
    matrix: Matrix
    custom: bool = False
    quiet_enabled: bool = False
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    timezone: str = "Europe/Moscow"
    daily_summary: bool = False
    email_off: frozenset[Kind] = frozenset()

    def channels(self, kind: Kind, scopes: set[Scope]) -> set[Channel]:
        cells = self.matrix.get(kind, {})
        chosen: set[Channel] = set()
        for scope in scopes:
            chosen |= cells.get(scope, frozenset())
        if kind in self.email_off:
            chosen.discard(Channel.EMAIL)
        return chosen

    def wants_all(self, kind: Kind) -> bool:
        return bool(self.matrix.get(kind, {}).get(Scope.ALL))


def matrix_json(matrix: Matrix) -> dict[str, dict[str, list[str]]]:
    return {
        kind.value: {scope.value: sorted(c.value for c in cs) for scope, cs in cells.items() if cs}
        for kind, cells in matrix.items()
    }


class PreferenceStore:
    """Reads everyone's stored preferences at once (a few thousand rows at most), kept for a few
    seconds: deciding an event needs the preferences of everyone who may hear of it."""

    def __init__(self, policy: Policy, default_timezone: str) -> None:
        self.policy = policy
        self.default_timezone = default_timezone
        self._rows: dict[str, Any] = {}
        self._read_at = -CACHE_TTL_S
        self._made: dict[tuple[str, str], Preferences] = {}  # parsed, for the rows read

    def defaults(self, person: Person) -> Preferences:
        return Preferences(
            self.policy.defaults_for(person.main_role), timezone=self.default_timezone
        )

    async def stored(self, session: ReadSession | WriteSession) -> dict[str, Any]:
        if clock.monotonic() - self._read_at > CACHE_TTL_S:
            rows = await session.execute(select(preferences))
            self._rows = {row.user_id: row for row in rows}
            self._made = {}
            self._read_at = clock.monotonic()
        return self._rows

    def forget(self) -> None:
        self._read_at = -CACHE_TTL_S

    def of(self, person: Person, stored: dict[str, Any]) -> Preferences:
        """The person's preferences (parsed once per read of the table)."""
        if stored is not self._rows:
            return self._parse(person, stored)
        key = (person.id, person.main_role)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._parse(person, stored)
        return made

    def _parse(self, person: Person, stored: dict[str, Any]) -> Preferences:
        row = stored.get(person.id)
        base = self.defaults(person)
        if row is None:
            return base
        matrix = (
            with_locked(parse_matrix(row.matrix, "matrix"))
            if row.matrix is not None
            else base.matrix
        )
        return replace(
            base,
            matrix=matrix,
            custom=row.matrix is not None,
            quiet_enabled=row.quiet_enabled,
            quiet_start=row.quiet_start,
            quiet_end=row.quiet_end,
            timezone=row.timezone or self.default_timezone,
            daily_summary=row.daily_summary,
            email_off=frozenset(Kind(k) for k in row.email_off if k in Kind._value2member_map_),
        )
