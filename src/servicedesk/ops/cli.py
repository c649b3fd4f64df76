"""`servicedesk-ops`: the commands the bootstrap runs to provision and check the local stack."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from servicedesk.ops.backfill_cli import backfill_app
from servicedesk.ops.catalogue import SERVICES
from servicedesk.ops.debris_cli import demo_app
from servicedesk.ops.esb_cli import esb_app
from servicedesk.ops.events_cli import events_app
from servicedesk.ops.keycloak_realm import (
    DEFAULT_ADMIN,
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_URL,
    sync_realm,
)
from servicedesk.ops.mail_cli import mail_app
from servicedesk.ops.migrate import migrate_all
from servicedesk.ops.processes import PROMETHEUS_PORT, prometheus_config, supervisor_config
from servicedesk.ops.provision import provision
from servicedesk.ops.readiness import wait_all_ready
from servicedesk.ops.seeding.cli import legacy_seed_app, seed_app

app = typer.Typer(
    help="Provision and check the servicedesk stack.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(seed_app, name="seed")
app.add_typer(legacy_seed_app, name="seed-legacy")
app.add_typer(backfill_app, name="backfill")
app.add_typer(events_app, name="events")
app.add_typer(demo_app, name="demo")
app.add_typer(mail_app, name="mail")
app.add_typer(esb_app, name="esb")
console = Console(stderr=True)
ROOT = Path(__file__).resolve().parents[3]


@app.command("provision-db")
def provision_db() -> None:
    """Create the database, schemas and roles (idempotent)."""
    schemas = asyncio.run(provision())
    console.print(f"database ready; schemas: {', '.join(schemas)}")


@app.command("migrate")
def migrate() -> None:
    """Run every service's migrations to head."""
    console.print(f"migrated: {', '.join(migrate_all())}")


@app.command("sync-realm")
def sync_realm_command(
    url: str = DEFAULT_URL, admin: str = DEFAULT_ADMIN, password: str = DEFAULT_ADMIN_PASSWORD
) -> None:
    """Import the Keycloak realm from deploy/keycloak (again, if the file changed)."""
    realm_file = ROOT / "deploy" / "keycloak" / "realm-servicedesk.json"
    outcome = asyncio.run(sync_realm(url, admin, password, realm_file))
    console.print(f"realm servicedesk: {outcome}")


@app.command("supervisor-config")
def write_supervisor_config(output: Path) -> None:
    """Write the supervisord configuration for the stack."""
    output.write_text(supervisor_config(ROOT))


@app.command("prometheus-config")
def write_prometheus_config(output: Path) -> None:
    """Write the Prometheus configuration that scrapes every service."""
    output.write_text(prometheus_config())


@app.command("wait-ready")
def wait_ready(timeout: float = 90) -> None:
    """Wait until every service answers /health/ready; fail naming those that do not."""
    status = asyncio.run(wait_all_ready(timeout))
    failing = [name for name, ok in status.items() if not ok]
    if failing:
        console.print(f"[red]not ready after {timeout:.0f}s: {', '.join(failing)}[/red]")
        raise typer.Exit(1)


@app.command("summary")
def summary() -> None:
    """Print where to open the stack and the demo logins."""
    out = Console(width=120)
    table = Table(title="servicedesk is up")
    table.add_column("what")
    table.add_column("where")
    for service in SERVICES:
        where = f"{service.url}  (API docs: /docs)"
        if service.name == "web" or service.module.startswith("servicedesk.fakes"):
            where = service.url  # a page for people, no API docs
        table.add_row(f"{service.name}: {service.summary}", where)
    table.add_row(
        "Keycloak (realm servicedesk)", "http://localhost:8080/admin  admin / local-admin"
    )
    table.add_row("Prometheus", f"http://localhost:{PROMETHEUS_PORT}")
    table.add_row(
        "Mail (Postfix SMTP, Dovecot IMAP)",
        "127.0.0.1:2525, 127.0.0.1:1143  servicedesk-ops mail list agent1@example.com",
    )
    out.print(table)
    logins = "agent1, agent2, supervisor1, admin1, reporter1 — password: demo"
    out.print(f"Demo users: {logins}")
    out.print(
        "Chat with the local bot: open http://localhost:8081, write as any person; "
        "send an SMS from http://localhost:8082 (README: 'Telegram and SMS')."
    )
    out.print(
        "Notifications: the console's bell; mail in each user's local mailbox "
        "(README: 'Notifications and mail')."
    )


if __name__ == "__main__":
    app()
