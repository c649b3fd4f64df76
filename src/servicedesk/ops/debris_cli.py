"""`servicedesk-ops demo …`: the demo data's fingerprint, and cleaning test debris out of it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.console import Console

from servicedesk.ops.catalogue import DEMO_DATABASE
from servicedesk.ops.debris import clean_demo, database_exists, differences, fingerprint

demo_app = typer.Typer(
    help="The demo database: its fingerprint, and the debris of test runs in it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


@demo_app.command("clean")
def clean(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be removed."),
) -> None:
    """Remove what test runs left in the demo data (rule: servicedesk/ops/debris.py)."""
    if not asyncio.run(database_exists(DEMO_DATABASE)):
        console.print(f"no database {DEMO_DATABASE} yet: nothing to clean")
        return
    report = asyncio.run(clean_demo(DEMO_DATABASE, dry_run=dry_run))
    verb = "would remove" if dry_run else "removed"
    if report.tests_wrote:
        console.print(f"test debris in the demo database ({verb}):")
        if report.debris_schemas:
            console.print(f"  schemas not in the catalogue: {', '.join(report.debris_schemas)}")
        for column, rows in report.marked_rows.items():
            console.print(f"  {rows} rows marked by tests in {column}")
        console.print(
            f"  so every service table is emptied ({len(report.emptied_tables)} tables) and the"
            " demo data are seeded again"
        )
    else:
        console.print("no test debris in the demo database")
    if report.deleted_clients:
        deleted = ", ".join(report.deleted_clients)
        console.print(f"keycloak clients left by tests, deleted: {deleted}")
    if report.redis_keys:
        console.print(f"redis keys left by tests (db 0), deleted: {report.redis_keys}")
    if report.orphan_notifications:
        count = report.orphan_notifications
        console.print(f"notifications of incidents and problems that no longer exist: {count}")
    if report.keycloak_error:
        console.print(f"[yellow]keycloak not cleaned: {report.keycloak_error}[/yellow]")


@demo_app.command("fingerprint")
def write_fingerprint(output: Path) -> None:
    """Write the demo data's fingerprint (schemas, counts, digests, names) as JSON."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(asyncio.run(fingerprint(DEMO_DATABASE)), ensure_ascii=False))
    console.print(f"demo fingerprint written to {output}")


@demo_app.command("check")
def check(saved: Path) -> None:
    """Compare the demo data with a saved fingerprint; exit 1 naming what differs."""
    before = json.loads(saved.read_text())
    lines = differences(before, asyncio.run(fingerprint(DEMO_DATABASE)))
    if lines:
        console.print(f"[red]the demo data differ from {saved}:[/red]")
        for line in lines:
            console.print(f"  {line}")
        raise typer.Exit(1)
    console.print(f"the demo data are as in {saved}")
