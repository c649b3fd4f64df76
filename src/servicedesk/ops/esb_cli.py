"""`servicedesk-ops esb dlq list | show | replay`: the ESB commands that could not be done."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import typer
from aio_pika.abc import AbstractConnection
from aiormq.exceptions import ChannelNotFoundEntity
from rich.console import Console
from rich.table import Table

from servicedesk.channels.esb.dlq import DeadCommand, browse, replay
from servicedesk.channels.esb.topology import EsbNames
from servicedesk.contracts.esb_asyncapi import esb_asyncapi_yaml
from servicedesk.kernel.settings import BrokerSettings

esb_app = typer.Typer(help="The ESB (commands from other systems).", no_args_is_help=True)
dlq_app = typer.Typer(
    help="Commands that could not be done, with the reason.", no_args_is_help=True
)
esb_app.add_typer(dlq_app, name="dlq")
console = Console()
T = TypeVar("T")

URL = typer.Option(
    BrokerSettings().url.get_secret_value(), "--url", envvar="SD_OPS_BROKER_URL", help="AMQP URL"
)
PREFIX = typer.Option("servicedesk.esb", "--prefix", help="the ESB's exchange/queue prefix")


def _with_broker(url: str, work: Callable[[AbstractConnection], Awaitable[T]]) -> T:
    async def run() -> T:
        connection = await aio_pika.connect(url, timeout=10)
        async with connection:
            return await work(connection)

    try:
        return asyncio.run(run())
    except ChannelNotFoundEntity as missing:
        console.print(f"{missing}: the ESB declares it when the channels service starts")
        raise typer.Exit(2) from missing


@dlq_app.command("list")
def list_dead(url: str = URL, prefix: str = PREFIX) -> None:
    """Every dead command: its id, the caller's routing key, the reason (they stay)."""
    dead = _with_broker(url, lambda c: browse(c, EsbNames.of(prefix)))
    table = Table("id", "routing key", "reason", "detail")
    for item in dead:
        table.add_row(item.id, item.routing_key, item.reason, item.detail[:80])
    console.print(table)
    console.print(f"{len(dead)} dead command(s)")


@dlq_app.command("show")
def show(command_id: str, url: str = URL, prefix: str = PREFIX) -> None:
    """One dead command: its headers and its body."""
    found = [
        d for d in _with_broker(url, lambda c: browse(c, EsbNames.of(prefix))) if d.id == command_id
    ]
    if not found:
        console.print(f"no dead command {command_id}")
        raise typer.Exit(1)
    console.print_json(json.dumps(_shown(found[0]), default=str))


@dlq_app.command("replay")
def replay_dead(
    command_id: str,
    data: Path | None = typer.Option(None, "--data", help="a JSON file: the corrected data"),
    url: str = URL,
    prefix: str = PREFIX,
) -> None:
    """Publishes the dead command again (with corrected data, if given) and removes it."""
    corrected: Any = json.loads(data.read_text()) if data else None
    done = _with_broker(url, lambda c: replay(c, EsbNames.of(prefix), command_id, corrected))
    if not done:
        console.print(f"no dead command {command_id}")
        raise typer.Exit(1)
    console.print(f"replayed {command_id}")


def _shown(dead: DeadCommand) -> dict[str, Any]:
    return {
        "id": dead.id,
        "routing_key": dead.routing_key,
        "reason": dead.reason,
        "detail": dead.detail,
        "content_type": dead.content_type,
        "headers": dead.headers,
        "body": dead.preview(4000),
    }


@esb_app.command("docs")
def docs() -> None:
    """Writes docs/esb-asyncapi.yaml from the ESB contract."""
    target = Path(__file__).resolve().parents[3] / "docs" / "esb-asyncapi.yaml"
    target.write_text(esb_asyncapi_yaml(), encoding="utf-8")
    console.print(f"wrote {target}")
