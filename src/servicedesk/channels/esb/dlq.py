"""The ESB's dead letters: read them (a browse: taken unacknowledged, then given back when the
channel closes) and replay one, corrected or not, to the commands exchange under its original
routing key (confirmed, then removed from the DLQ)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from servicedesk.channels.esb.topology import EsbNames
from servicedesk.kernel.consumer import DEAD_CONSUMER, DEAD_DETAIL, DEAD_REASON

ORIGINAL_KEY = "x-original-routing-key"
BROWSE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class DeadCommand:
    id: str
    routing_key: str
    reason: str
    detail: str
    content_type: str | None
    headers: dict[str, Any]
    body: bytes

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadCommand:
        headers = {k: _plain(v) for k, v in (message.headers or {}).items()}
        return cls(
            id=str(headers.get("ce-id") or message.message_id or f"#{message.delivery_tag}"),
            routing_key=str(headers.get(ORIGINAL_KEY) or message.routing_key or ""),
            reason=str(headers.get(DEAD_REASON) or headers.get("x-first-death-reason") or "?"),
            detail=str(headers.get(DEAD_DETAIL) or ""),
            content_type=message.content_type,
            headers=headers,
            body=message.body,
        )

    def preview(self, limit: int = 400) -> str:
        return self.body[:limit].decode("utf-8", "replace")


async def browse(connection: AbstractConnection, names: EsbNames) -> list[DeadCommand]:
    """The dead commands, oldest first; they stay in the DLQ."""
    channel = await connection.channel()
    try:
        queue = await channel.get_queue(names.dead_letters, ensure=False)
        found: list[DeadCommand] = []
        while len(found) < BROWSE_LIMIT:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            found.append(DeadCommand.of(message))
        return found
    finally:
        await channel.close()  # every message taken goes back, unacknowledged


async def replay(
    connection: AbstractConnection, names: EsbNames, command_id: str, data: Any = None
) -> bool:
    """Publishes the dead command again (with `data` as its new data, if given) and removes it
    from the DLQ; False when there is no such command."""
    channel = await connection.channel(publisher_confirms=True)
    try:
        queue = await channel.get_queue(names.dead_letters, ensure=False)
        commands = await channel.get_exchange(names.commands, ensure=False)
        for _ in range(BROWSE_LIMIT):
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                return False
            dead = DeadCommand.of(message)
            if dead.id != command_id:
                continue
            await commands.publish(_corrected(dead, data), routing_key=dead.routing_key)
            await message.ack()
            return True
        return False
    finally:
        await channel.close()


def _corrected(dead: DeadCommand, data: Any) -> aio_pika.Message:
    skip = {DEAD_REASON, DEAD_DETAIL, DEAD_CONSUMER, ORIGINAL_KEY}
    headers = {k: v for k, v in dead.headers.items() if k not in skip and not k.startswith("x-")}
    body = dead.body
    if data is not None:
        if (dead.content_type or "").startswith("application/cloudevents+json"):
            event = json.loads(dead.body)
            body = json.dumps({**event, "data": data}).encode()
        else:
            body = json.dumps(data).encode()
    return aio_pika.Message(
        body,
        headers=headers,
        content_type=dead.content_type,
        message_id=dead.id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def _plain(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
