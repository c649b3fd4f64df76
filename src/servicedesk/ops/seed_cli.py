"""`servicedesk-ops seed …`: fill the clients and orders tables with realistic fake data."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from servicedesk.ops.seed import SeedReport, seed, seed_demo_if_empty

seed_app = typer.Typer(
    help="Fill the clients and orders tables with realistic Russian and English fake data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class _RichProgress:
    """Shows the stage of the run and a bar per table."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._stage = progress.add_task("preparing", total=None)
        self._tables: dict[str, TaskID] = {}

    def stage(self, text: str) -> None:
        self._progress.update(self._stage, description=text)

    def table(self, name: str, total: int) -> None:
        self._tables[name] = self._progress.add_task(name, total=total)

    def advance(self, name: str, rows: int) -> None:
        self._progress.advance(self._tables[name], rows)


def _progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RowsPerSecond(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _print_report(report: SeedReport) -> None:
    table = Table(title="seeded")
    for column in ("table", "rows", "seconds", "rows/s"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for load in report.tables:
        rate = f"{load.rows_per_second:,.0f}"
        table.add_row(load.table, f"{load.rows:,}", f"{load.seconds:.1f}", rate)
    console.print(table)
    if report.numbers:
        console.print(f"order numbers {report.numbers[0]}–{report.numbers[1]}")
    if report.index_seconds is not None:
        console.print(f"secondary indexes rebuilt in {report.index_seconds:.1f} s")
    console.print(f"analyze {report.analyze_seconds:.1f} s; loaders: {report.workers or 'inline'}")
    console.print(f"[bold]total {report.seconds:.1f} s")


@seed_app.command("data")
def data(
    clients: int = typer.Option(1_000, min=0, help="How many clients to add."),
    orders: int = typer.Option(3_000, min=0, help="How many orders to add."),
    reset: bool = typer.Option(
        False, "--reset/--append", help="Empty clients, known clients and orders first."
    ),
    seed_value: int = typer.Option(42, "--seed", help="The same seed gives the same data."),
    batch_size: int = typer.Option(20_000, min=100, help="Rows per COPY."),
    workers: int | None = typer.Option(
        None, min=0, help="Loader processes (0: in-process; default: by size and cores)."
    ),
) -> None:
    """Generate clients and orders and load them with COPY."""
    with _progress_bar() as bar:
        report = asyncio.run(
            seed(
                clients,
                orders,
                reset=reset,
                batch_size=batch_size,
                seed=seed_value,
                progress=_RichProgress(bar),
                workers=workers,
            )
        )
    _print_report(report)


@seed_app.command("demo")
def demo() -> None:
    """Seed a small demo set, only if there are no clients yet."""
    if asyncio.run(seed_demo_if_empty()):
        console.print("demo data seeded")
    else:
        console.print("clients exist already; nothing seeded")
