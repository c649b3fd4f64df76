"""`/legacy/admin/faults`: the simulator's fault knobs, shared by every replica through Redis.

PUT sets exactly the knobs sent (those left out are off); DELETE goes back to the
environment's knobs (`SD_LEGACY_FAULTS__*`). The knobs never act on these endpoints, on
`/health/*` or on `/metrics`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from servicedesk.legacy.auth import require_admin_key
from servicedesk.legacy.errors import error_responses
from servicedesk.legacy.faults import FaultKnobs
from servicedesk.legacy.state import FaultStoreDep

admin_router = APIRouter(
    prefix="/legacy/admin",
    tags=["legacy-admin"],
    dependencies=[Depends(require_admin_key)],
    responses=error_responses(400, 401),
)


@admin_router.get("/faults", response_model=FaultKnobs)
async def read_faults(store: FaultStoreDep) -> FaultKnobs:
    """The knobs in force (as every replica sees them within a second)."""
    return await store.knobs(fresh=True)


@admin_router.put("/faults", response_model=FaultKnobs)
async def set_faults(knobs: FaultKnobs, store: FaultStoreDep) -> FaultKnobs:
    """Replaces the knobs; those not sent take their neutral defaults."""
    return await store.replace(knobs)


@admin_router.delete("/faults", response_model=FaultKnobs)
async def reset_faults(store: FaultStoreDep) -> FaultKnobs:
    """Back to the knobs of the environment."""
    return await store.reset()
