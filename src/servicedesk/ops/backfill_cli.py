"""`servicedesk-ops backfill`: move every remaining legacy record into ours, resumably."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import typer
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from servicedesk.migration.backfill import Backfill, Checkpoints
from servicedesk.migration.settings import MigrationSettings
from servicedesk.migration.wiring import build_parts, close_parts

backfill_app = typer.Typer(help="Move the legacy records into ours.", no_args_is_help=True)
console = Console(stderr=True)


class _Bars:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, entity: str, total: int, done: int) -> None:
        self.tasks[entity] = self.progress.add_task(entity, total=total, completed=done)

    def advance(self, entity: str, rows: int) -> None:
        self.progress.advance(self.tasks[entity], rows)


async def _run(rate: float, page_size: int, restart: bool, segment: str | None) -> None:
    settings = MigrationSettings()
    redis = Redis.from_url(settings.redis.url.get_secret_value())
    connection = await asyncpg.connect(settings.db.primary_dsn())
    async with httpx.AsyncClient() as http:
        ours, legacy = build_parts(settings, redis, http)
        checkpoints = Checkpoints(connection)
        if restart:
            await checkpoints.reset()
        columns = (TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
            backfill = Backfill(legacy, ours, checkpoints, _Bars(bar), page_size, rate, segment)
            points = await backfill.run()
        await close_parts(ours)
    await connection.close()
    await redis.aclose()
    for point in points.values():
        console.print(
            f"{point.entity}: {point.moved} moved, {point.kept} already ours, "
            f"{point.failed} not translatable, {point.legacy_offset} read"
        )


@backfill_app.command("run")
def run(
    rate: float = typer.Option(500.0, help="records a second at most"),
    page_size: int = typer.Option(200, min=1, max=200, help="legacy records a page"),
    restart: bool = typer.Option(False, help="forget where the last run got to"),
    segment: str = typer.Option(
        "", help="only customers with a name word starting so, and their orders"
    ),
) -> None:
    """Customers, then orders; resumes where a stopped run got to."""
    asyncio.run(_run(rate, page_size, restart, segment or None))
