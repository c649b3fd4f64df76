"""`servicedesk-ops seed …`: fill the clients and orders tables with realistic fake data."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from servicedesk.ops.progress import RichProgress, progress_bar
from servicedesk.ops.seed import SeedReport, seed, seed_demo_if_empty

seed_app = typer.Typer(
    help="Fill the clients and orders tables with realistic Russian and English fake data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


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
    with progress_bar(console) as bar:
        report = asyncio.run(
            seed(
                clients,
                orders,
                reset=reset,
                batch_size=batch_size,
                seed=seed_value,
                progress=RichProgress(bar),
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
