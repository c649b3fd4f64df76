"""What the migration service holds for its lifetime, one typed container at `app.state.service`
(kernel pattern, `servicedesk.kernel.state`): our services and the legacy side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from servicedesk.kernel.state import service_state
from servicedesk.migration.ports import LegacySide, Ours


@dataclass(slots=True)
class MigrationState:
    ours: Ours
    legacy: LegacySide  # replaceable: tests put a legacy side with faults of its own here


def migration_state(holder: HTTPConnection | Starlette) -> MigrationState:
    return service_state(holder, MigrationState)


def _state(connection: HTTPConnection) -> MigrationState:
    return migration_state(connection)


MigrationStateDep = Annotated[MigrationState, Depends(_state)]
