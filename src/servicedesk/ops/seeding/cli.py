"""`servicedesk-ops seed …` and `servicedesk-ops seed-legacy …`: fill our tables and the legacy
simulator's with fake data, a progress bar while they load and a report after."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from servicedesk.ops.seeding.clients_orders import SeedReport, seed, seed_demo_if_empty
from servicedesk.ops.seeding.legacy import (
    LegacySeedReport,
    seed_legacy,
    seed_legacy_demo_if_empty,
)
from servicedesk.ops.seeding.progress import RichProgress, progress_bar
from servicedesk.ops.seeding.tickets import IncidentSeedReport, no_incidents, seed_incidents

T = TypeVar("T")
DEMO_INCIDENTS = 300
seed_app = typer.Typer(
    help="Fill the clients, orders and incidents tables with Russian and English fake data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
legacy_seed_app = typer.Typer(
    help="Fill the legacy simulator's customers and orders with realistic Russian data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


def _reset(help_text: str) -> Any:
    return typer.Option(False, "--reset/--append", help=help_text)


def _seed(help_text: str = "The same seed gives the same data.") -> Any:
    return typer.Option(42, "--seed", help=help_text)


def _workers() -> Any:
    help_text = "Loader processes (0: in-process; default: by size and cores)."
    return typer.Option(None, min=0, help=help_text)


def _with_bar(run: Callable[..., Coroutine[Any, Any, T]], *args: Any, **options: Any) -> T:
    """Runs a seed with these arguments and its progress bars on the console."""
    with progress_bar(console) as bar:
        return asyncio.run(run(*args, progress=RichProgress(bar), **options))


def _print_tail(index_seconds: float | None, analyze_seconds: float, workers: int) -> None:
    if index_seconds is not None:
        console.print(f"secondary indexes rebuilt in {index_seconds:.1f} s")
    console.print(f"analyze {analyze_seconds:.1f} s; loaders: {workers or 'inline'}")


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
    _print_tail(report.index_seconds, report.analyze_seconds, report.workers)
    console.print(f"[bold]total {report.seconds:.1f} s")


@seed_app.command("data")
def data(
    clients: int = typer.Option(1_000, min=0, help="How many clients to add."),
    orders: int = typer.Option(3_000, min=0, help="How many orders to add."),
    reset: bool = _reset("Empty clients, known clients and orders first."),
    seed_value: int = _seed(),
    batch_size: int = typer.Option(20_000, min=100, help="Rows per COPY."),
    workers: int | None = _workers(),
) -> None:
    """Generate clients and orders and load them with COPY."""
    report = _with_bar(
        seed, clients, orders, reset=reset, batch_size=batch_size, seed=seed_value, workers=workers
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
    if asyncio.run(no_incidents()):
        report = _with_bar(seed_incidents, DEMO_INCIDENTS, workers=0)
        console.print(f"demo incidents seeded: {report.incidents}, problems: {report.problems}")
    else:
        console.print("incidents exist already; none seeded")


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
    _print_tail(report.index_seconds, report.analyze_seconds, report.workers)
    console.print(f"[bold]total {report.seconds:.1f} s")


@seed_app.command("incidents")
def incidents(
    count: int = typer.Option(1_000, min=0, help="How many incidents to add."),
    reset: bool = _reset("First delete the incidents and problems seeded before."),
    seed_value: int = _seed("Varies the generated data."),
    batch_size: int = typer.Option(10_000, min=100, help="Incidents per COPY."),
    workers: int | None = _workers(),
    rebuild_indexes: bool = typer.Option(
        False,
        "--rebuild-indexes/--keep-indexes",
        help="Drop the secondary indexes of the incidents for the load and build them after"
        " (queries on the table are slow meanwhile).",
    ),
) -> None:
    """Generate incidents, a problem for every 20, and load them with COPY."""
    report = _with_bar(
        seed_incidents,
        count,
        reset=reset,
        batch_size=batch_size,
        seed=seed_value,
        workers=workers,
        rebuild_indexes=rebuild_indexes,
    )
    _print_incidents_report(report)


def describe_legacy(report: LegacySeedReport) -> list[str]:
    """Lines for a person: what was loaded into the legacy system and how fast."""
    lines = []
    for what, ids, seconds in (
        ("customers", report.customers, report.customer_seconds),
        ("orders", report.orders, report.order_seconds),
    ):
        if ids:
            count = ids[1] - ids[0] + 1
            lines.append(f"{what}: {count:,} (ids {ids[0]}–{ids[1]}) in {seconds:.1f} s")
    lines.append(f"total {report.seconds:.1f} s")
    return lines


@legacy_seed_app.command("data")
def legacy_data(
    customers: int = typer.Option(50_000, min=0, help="How many customers to add."),
    orders: int = typer.Option(150_000, min=0, help="How many orders to add."),
    reset: bool = _reset("Empty customers and orders first (ids restart at 1)."),
    seed_value: int = _seed(),
    batch_size: int = typer.Option(10_000, min=100, help="Rows per COPY."),
) -> None:
    """Generate customers and orders and load them with COPY."""
    report = _with_bar(
        seed_legacy, customers, orders, reset=reset, seed=seed_value, batch_size=batch_size
    )
    for line in describe_legacy(report):
        console.print(line)


@legacy_seed_app.command("demo")
def legacy_demo() -> None:
    """Seed the default set (50,000 customers, 150,000 orders), only if there are none yet."""
    seeded = _with_bar(seed_legacy_demo_if_empty)
    console.print("legacy demo data seeded" if seeded else "legacy customers exist; nothing seeded")
