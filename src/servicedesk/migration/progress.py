"""How far the migration has got: per entity, what the legacy system knows, what we hold from
it, and where the backfill is; plus the state of the breaker around the legacy system."""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import text

from servicedesk.kernel.deps import ReadSessionDep
from servicedesk.migration.auth import ProgressReader
from servicedesk.migration.legacy_client import LegacyUnavailable
from servicedesk.migration.metrics import MIGRATED
from servicedesk.migration.moving import LegacySide, Ours
from servicedesk.migration.verification import verify_clients, verify_orders

progress_router = APIRouter(prefix="/api/v1/migration", tags=["migration"])


async def _legacy_totals(side: LegacySide) -> tuple[dict[str, int | None], str | None]:
    try:
        customers = (await side.client.search_customers(count=1)).total
        orders = (await side.client.list_orders(count=1)).total
    except LegacyUnavailable as exc:
        return {"clients": None, "orders": None}, exc.reason
    return {"clients": customers, "orders": orders}, None


@progress_router.get("/progress")
async def migration_progress(
    _: ProgressReader, request: Request, session: ReadSessionDep
) -> dict[str, Any]:
    ours: Ours = request.app.state.proxy.ours
    side: LegacySide = request.app.state.proxy.legacy
    held = {
        "clients": await ours.clients.stats(ours.service_auth),
        "orders": await ours.orders.stats(ours.service_auth),
    }
    legacy, legacy_failure = await _legacy_totals(side)
    rows = await session.execute(
        text(
            "select entity, legacy_offset, moved, kept, failed, updated_at"
            " from migration.backfill_checkpoints order by entity"
        )
    )
    entities = {
        name: _entity(legacy[name], held[name]["total"], held[name]["from_legacy"])
        for name in ("clients", "orders")
    }
    for name, entity in entities.items():
        MIGRATED.labels(name, "moved").set(entity["moved_from_legacy"] or 0)
        if entity["known_in_legacy"] is not None:
            MIGRATED.labels(name, "known").set(entity["known_in_legacy"])
    return {
        **entities,
        "legacy": {"reachable": legacy_failure is None, "failure": legacy_failure},
        "breaker": (await side.breaker.state()).value,
        "backfill": [dict(row._mapping) for row in rows],
    }


def _entity(known: int | None, held: int, moved: int) -> dict[str, int | None]:
    return {
        "known_in_legacy": known,
        "held_by_us": held,
        "moved_from_legacy": moved,
        "left_to_move": None if known is None else max(0, known - moved),
    }


@progress_router.get("/verification")
async def parallel_run_check(
    _: ProgressReader,
    request: Request,
    sample: Annotated[int, Query(ge=1, le=500)] = 50,
    seed: int | None = None,
    customer_id: Annotated[list[int] | None, Query(max_length=500)] = None,
    order_id: Annotated[list[int] | None, Query(max_length=500)] = None,
    entity: Annotated[str, Query(pattern="^(clients|orders)$")] = "clients",
) -> dict[str, Any]:
    """Moved records among legacy ones (those named, or a random sample), compared field by
    field with their originals."""
    proxy = request.app.state.proxy
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrecy
    if entity == "orders":
        report = await verify_orders(proxy.legacy, proxy.ours, sample, rng, order_id)
    else:
        report = await verify_clients(proxy.legacy, proxy.ours, sample, rng, customer_id)
    return asdict(report)
