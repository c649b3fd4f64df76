"""What the legacy simulator holds for its lifetime, at `app.state.service`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from servicedesk.kernel.state import service_state
from servicedesk.legacy.faults import FaultInjector, FaultStore
from servicedesk.legacy.settings import LegacySettings


@dataclass(frozen=True, slots=True)
class LegacyState:
    settings: LegacySettings
    fault_store: FaultStore
    fault_injector: FaultInjector


def legacy_state(holder: HTTPConnection | Starlette) -> LegacyState:
    return service_state(holder, LegacyState)


def fault_store(request: Request) -> FaultStore:
    return legacy_state(request).fault_store


async def inject_faults(request: Request) -> None:
    """Router dependency of the legacy API: the knobs act before anything else is done."""
    await legacy_state(request).fault_injector.apply()


FaultStoreDep = Annotated[FaultStore, Depends(fault_store)]
