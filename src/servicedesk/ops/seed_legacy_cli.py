"""`servicedesk-ops seed-legacy …`: fill the legacy simulator with realistic customers and orders.

Until the sub-app is registered in `cli.py`, run it as
`python -c "from servicedesk.ops.seed_legacy_cli import legacy_seed_app; legacy_seed_app()" data`.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from servicedesk.ops.progress import RichProgress, progress_bar
from servicedesk.ops.seed_legacy import LegacySeedReport, seed_legacy, seed_legacy_demo_if_empty

legacy_seed_app = typer.Typer(
    help="Fill the legacy simulator's customers and orders with realistic Russian data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


def _describe(report: LegacySeedReport) -> list[str]:
    """Lines for a person: what was loaded and how fast."""
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
def data(
    customers: int = typer.Option(50_000, min=0, help="How many customers to add."),
    orders: int = typer.Option(150_000, min=0, help="How many orders to add."),
    reset: bool = typer.Option(
        False, "--reset/--append", help="Empty customers and orders first (ids restart at 1)."
    ),
    seed_value: int = typer.Option(42, "--seed", help="The same seed gives the same data."),
    batch_size: int = typer.Option(10_000, min=100, help="Rows per COPY."),
) -> None:
    """Generate customers and orders and load them with COPY."""
    with progress_bar(console) as bar:
        report = asyncio.run(
            seed_legacy(
                customers,
                orders,
                reset=reset,
                seed=seed_value,
                batch_size=batch_size,
                progress=RichProgress(bar),
            )
        )
    for line in _describe(report):
        console.print(line)


@legacy_seed_app.command("demo")
def demo() -> None:
    """Seed the default set (50,000 customers, 150,000 orders), only if there are none yet."""
    with progress_bar(console) as bar:
        seeded = asyncio.run(seed_legacy_demo_if_empty(progress=RichProgress(bar)))
    console.print("legacy demo data seeded" if seeded else "legacy customers exist; nothing seeded")
