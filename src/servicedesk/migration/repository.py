"""The migration service's own tables: where the backfill got to, per entity."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy import text

from servicedesk.kernel.db import ReadSession
from servicedesk.migration.schemas import CheckpointRow


@dataclass
class Checkpoint:
    entity: str
    legacy_offset: int = 0
    moved: int = 0
    kept: int = 0
    failed: int = 0


class Checkpoints:
    """Saved in the migration schema, one row per entity (the backfill command's connection)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def load(self, entity: str) -> Checkpoint:
        row = await self.connection.fetchrow(
            "select legacy_offset, moved, kept, failed from migration.backfill_checkpoints"
            " where entity = $1",
            entity,
        )
        return Checkpoint(entity, *row) if row else Checkpoint(entity)

    async def save(self, point: Checkpoint) -> None:
        await self.connection.execute(
            "insert into migration.backfill_checkpoints"
            " (entity, legacy_offset, moved, kept, failed, updated_at)"
            " values ($1, $2, $3, $4, $5, now()) on conflict (entity) do update set"
            " legacy_offset = excluded.legacy_offset, moved = excluded.moved,"
            " kept = excluded.kept, failed = excluded.failed, updated_at = now()",
            point.entity,
            point.legacy_offset,
            point.moved,
            point.kept,
            point.failed,
        )

    async def reset(self) -> None:
        await self.connection.execute("delete from migration.backfill_checkpoints")


async def checkpoint_rows(session: ReadSession) -> list[CheckpointRow]:
    """Every entity's checkpoint, for the progress report."""
    rows = await session.execute(
        text(
            "select entity, legacy_offset, moved, kept, failed, updated_at"
            " from migration.backfill_checkpoints order by entity"
        )
    )
    return [CheckpointRow.model_validate(dict(row._mapping)) for row in rows]
