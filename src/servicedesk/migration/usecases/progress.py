"""How far the migration has got: per entity, what the legacy system knows, what we hold from
it, and where the backfill is; plus the state of the breaker around the legacy system."""

from __future__ import annotations

from servicedesk.kernel.db import ReadSession
from servicedesk.migration.adapters.legacy_api import LegacyUnavailable
from servicedesk.migration.metrics import MIGRATED
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.repository import checkpoint_rows
from servicedesk.migration.schemas import EntityProgress, LegacyReach, MigrationProgress


async def _legacy_totals(side: LegacySide) -> tuple[dict[str, int | None], str | None]:
    try:
        customers = (await side.client.search_customers(count=1)).total
        orders = (await side.client.list_orders(count=1)).total
    except LegacyUnavailable as exc:
        return {"clients": None, "orders": None}, exc.reason
    return {"clients": customers, "orders": orders}, None


def _entity(known: int | None, held: int, moved: int) -> EntityProgress:
    return EntityProgress(
        known_in_legacy=known,
        held_by_us=held,
        moved_from_legacy=moved,
        left_to_move=None if known is None else max(0, known - moved),
    )


async def migration_progress(
    ours: Ours, side: LegacySide, session: ReadSession
) -> MigrationProgress:
    held = {
        "clients": await ours.clients.stats(ours.service_auth),
        "orders": await ours.orders.stats(ours.service_auth),
    }
    legacy, legacy_failure = await _legacy_totals(side)
    backfill = await checkpoint_rows(session)
    entities = {
        name: _entity(legacy[name], held[name].total, held[name].from_legacy)
        for name in ("clients", "orders")
    }
    for name, entity in entities.items():
        MIGRATED.labels(name, "moved").set(entity.moved_from_legacy or 0)
        if entity.known_in_legacy is not None:
            MIGRATED.labels(name, "known").set(entity.known_in_legacy)
    return MigrationProgress(
        clients=entities["clients"],
        orders=entities["orders"],
        legacy=LegacyReach(reachable=legacy_failure is None, failure=legacy_failure),
        breaker=(await side.breaker.state()).value,
        backfill=backfill,
    )
