"""`servicedesk-ops seed …`: fill the clients, orders and incidents tables with fake data."""

from __future__ import annotations

import asyncio

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from servicedesk.ops.progress import RichProgress, progress_bar
from servicedesk.ops.seed import SeedReport, seed, seed_demo_if_empty
from servicedesk.ops.seed_tickets import IncidentSeedReport, owner_dsn, seed_incidents

seed_app = typer.Typer(
    help="Fill the clients, orders and incidents tables with Russian and English fake data.",
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
    """Seed a small demo set: clients and orders if there are no clients yet, incidents (and
    their problems) if there are no incidents yet."""
    if asyncio.run(seed_demo_if_empty()):
        console.print("demo clients and orders seeded")
    else:
        console.print("clients exist already; none seeded")
    if asyncio.run(_no_incidents()):
        with progress_bar(console) as bar:
            report = asyncio.run(
                seed_incidents(DEMO_INCIDENTS, progress=RichProgress(bar), workers=0)
            )
        console.print(f"demo incidents seeded: {report.incidents}, problems: {report.problems}")
    else:
        console.print("incidents exist already; none seeded")


DEMO_INCIDENTS = 300


async def _no_incidents() -> bool:
    connection = await asyncpg.connect(owner_dsn())
    try:
        return not await connection.fetchval("select exists(select 1 from tickets.incidents)")
    finally:
        await connection.close()


def _print_incidents_report(report: IncidentSeedReport) -> None:
    if report.deleted:
        gone = report.deleted
        kept = f", kept {gone.kept:,} others refer to" if gone.kept else ""
        console.print(
            f"reset: deleted {gone.incidents:,} incidents, {gone.problems:,} problems{kept}"
        )
    console.print(
        f"{report.incidents:,} incidents and {report.problems:,} problems loaded in"
        f" {report.load_seconds:.1f} s ({report.rows_per_second:,.0f} incidents/s)"
    )
    if report.numbers and report.problem_numbers:
        console.print(
            f"incident numbers {report.numbers[0]}–{report.numbers[1]},"
            f" problem numbers {report.problem_numbers[0]}–{report.problem_numbers[1]}"
        )
    if report.index_seconds is not None:
        console.print(f"secondary indexes rebuilt in {report.index_seconds:.1f} s")
    console.print(f"analyze {report.analyze_seconds:.1f} s; loaders: {report.workers or 'inline'}")
    console.print(f"[bold]total {report.seconds:.1f} s")


@seed_app.command("incidents")
def incidents(
    count: int = typer.Option(1_000, min=0, help="How many incidents to add."),
    reset: bool = typer.Option(
        False, "--reset/--append", help="First delete the incidents and problems seeded before."
    ),
    seed_value: int = typer.Option(42, "--seed", help="Varies the generated data."),
    batch_size: int = typer.Option(10_000, min=100, help="Incidents per COPY."),
    workers: int | None = typer.Option(
        None, min=0, help="Loader processes (0: in-process; default: by size and cores)."
    ),
    rebuild_indexes: bool = typer.Option(
        False,
        "--rebuild-indexes/--keep-indexes",
        help="Drop the secondary indexes of the incidents for the load and build them after"
        " (queries on the table are slow meanwhile).",
    ),
) -> None:
    """Generate incidents, a problem for every 20, and load them with COPY."""
    with progress_bar(console) as bar:
        report = asyncio.run(
            seed_incidents(
                count,
                reset=reset,
                batch_size=batch_size,
                seed=seed_value,
                progress=RichProgress(bar),
                workers=workers,
                rebuild_indexes=rebuild_indexes,
            )
        )
    _print_incidents_report(report)
