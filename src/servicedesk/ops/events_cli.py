"""`servicedesk-ops events`: the events log (what is in it, replaying it) and the event docs."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import aio_pika
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from servicedesk.contracts import CONTRACTS
from servicedesk.contracts.asyncapi import asyncapi, asyncapi_yaml
from servicedesk.contracts.eventsdoc import events_markdown
from servicedesk.kernel.eventlog import (
    Position,
    ReplayProgress,
    log_bounds,
    offset_of,
    read_log,
    replay,
)
from servicedesk.kernel.settings import BrokerSettings
from servicedesk.orders.consumers import CLIENT_PROJECTION

events_app = typer.Typer(help="The events log and the event contracts.", no_args_is_help=True)
console = Console(stderr=True)
ROOT = Path(__file__).resolve().parents[3]
CONSUMERS = {sub.queue: sub.bindings for sub in (CLIENT_PROJECTION,)}
"""The platform's consumers (queue → bindings), so a replay needs only the queue's name."""

_DEFAULTS = BrokerSettings()
URL = typer.Option(
    _DEFAULTS.url.get_secret_value(), "--url", envvar="SD_OPS_BROKER_URL", help="AMQP URL"
)
EXCHANGE = typer.Option(_DEFAULTS.exchange, "--exchange", help="the events exchange")


def write_docs(root: Path = ROOT) -> list[Path]:
    """docs/asyncapi.yaml and docs/events.md, from the contracts."""
    targets = {
        root / "docs" / "asyncapi.yaml": asyncapi_yaml(CONTRACTS),
        root / "docs" / "events.md": events_markdown(asyncapi(CONTRACTS)),
    }
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
    return list(targets)


@events_app.command("docs")
def docs() -> None:
    """Regenerate docs/asyncapi.yaml and docs/events.md from servicedesk.contracts."""
    for path in write_docs():
        console.print(f"wrote {path.relative_to(ROOT)}")


def _when(message: aio_pika.abc.AbstractIncomingMessage) -> str:
    return message.timestamp.isoformat() if isinstance(message.timestamp, datetime) else "?"


async def _info(url: str, exchange: str) -> None:
    async with await aio_pika.connect(url, timeout=10) as connection:
        bounds = await log_bounds(connection, exchange)
    if bounds is None:
        console.print(f"the log of {exchange} is empty")
        return
    first, last = bounds
    table = Table(title=f"log of {exchange}")
    for column in ("", "offset", "published", "type"):
        table.add_column(column)
    table.add_row("first", str(offset_of(first)), _when(first), first.type or "")
    table.add_row("last", str(offset_of(last)), _when(last), last.type or "")
    Console().print(table)
    console.print(f"{offset_of(last) - offset_of(first) + 1} events")


@events_app.command("info")
def info(url: str = URL, exchange: str = EXCHANGE) -> None:
    """The first and last events the log holds now (retention drops the oldest)."""
    asyncio.run(_info(url, exchange))


async def _list(url: str, exchange: str, start: Position, limit: int) -> None:
    table = Table()
    for column in ("offset", "published", "type", "subject", "id"):
        table.add_column(column)
    async with await aio_pika.connect(url, timeout=10) as connection:
        bounds = await log_bounds(connection, exchange)
        if bounds is not None:
            shown = 0
            async for message in read_log(connection, exchange, start, until=offset_of(bounds[1])):
                event = json.loads(message.body)
                row = (str(offset_of(message)), _when(message), message.type or "")
                table.add_row(*row, str(event.get("subject", "")), str(message.message_id))
                shown += 1
                if shown >= limit:
                    break
    Console().print(table)


@events_app.command("list")
def list_events(
    start: str = typer.Option("first", "--from", help="first, offset N, or a time (ISO 8601)"),
    limit: int = typer.Option(20, min=1, help="how many to show"),
    url: str = URL,
    exchange: str = EXCHANGE,
) -> None:
    """The events of the log from a position."""
    asyncio.run(_list(url, exchange, Position.parse(start), limit))


@events_app.command("replay")
def replay_command(
    consumer: str = typer.Option(..., "--consumer", help="the consumer's queue"),
    start: str = typer.Option(..., "--from", help="first, offset N, or a time (ISO 8601)"),
    bind: list[str] = typer.Option(
        [], "--bind", help="the consumer's bindings, if it is not one of the platform's"
    ),
    url: str = URL,
    exchange: str = EXCHANGE,
) -> None:
    """Feed a consumer's queue with the logged events its bindings match, from a position to
    the end of the log; the consumer handles them once each (it keeps the ids it handled)."""
    bindings = tuple(bind) or CONSUMERS.get(consumer)
    if not bindings:
        known = ", ".join(CONSUMERS)
        console.print(f"[red]unknown consumer {consumer}; known: {known}; or give --bind[/red]")
        raise typer.Exit(2)
    try:
        position = Position.parse(start)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("reading the log", total=None)

        def show(progress: ReplayProgress) -> None:
            start_at = position.offset if position.kind == "offset" else progress.first
            total = progress.last - (start_at or 0) + 1
            bar.update(task, total=max(total, 0), completed=progress.read)
            bar.update(task, description=f"fed {progress.fed} to {consumer}")

        done = asyncio.run(replay(url, exchange, consumer, bindings, position, on_progress=show))
    console.print(f"{done.read} events read, {done.fed} fed to {consumer}")
