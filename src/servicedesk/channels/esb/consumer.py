"""Consumes the commands queue. A valid command is done in one transaction and its answer
published (confirmed) before the commit; the message is acknowledged after it. A command that
cannot be done gets an error event on the caller's reply route and goes to the DLQ with the
reason in its headers (then acknowledged): the queue keeps flowing. A failure that may pass
(tickets or the database away) requeues it; at the delivery limit the broker dead-letters it."""

from __future__ import annotations

import asyncio
import logging

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from servicedesk.channels.esb.desk import EsbDesk, Rejected
from servicedesk.channels.esb.metrics import ESB_COMMANDS
from servicedesk.channels.esb.topology import EsbTopology
from servicedesk.channels.esb.wire import (
    Command,
    caller_of,
    command_of,
    deterministic_id,
    event_id_of,
    out_message,
    routing_key,
)
from servicedesk.channels.settings import EsbSettings
from servicedesk.contracts import ContractViolation
from servicedesk.contracts.esb import EsbCommandRejectedV1
from servicedesk.kernel.consumer import DEAD_CONSUMER, DEAD_DETAIL, DEAD_REASON, retry_delay
from servicedesk.kernel.db import Database

log = logging.getLogger(__name__)
CONSUMER = "channels.esb"
PUBLISH_TIMEOUT_S = 10


class CommandConsumer:
    def __init__(
        self, database: Database, desk: EsbDesk, settings: EsbSettings, topology: EsbTopology
    ) -> None:
        self.database = database
        self.desk = desk
        self.settings = settings
        self.topology = topology

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        caller = caller_of(message, self.settings.callers)
        if caller is None:
            await self._refuse(message, None, "unknown-caller", f"{message.routing_key!r}")
            return
        try:
            command = command_of(message, caller, self.settings.max_message_bytes)
            await self._run(command)
        except ContractViolation as violation:
            await self._refuse(message, caller, violation.reason, violation.detail)
            return
        except Rejected as rejected:
            await self._refuse(message, caller, rejected.reason, rejected.detail)
            return
        except Exception:
            ESB_COMMANDS.labels(caller, "failed").inc()
            log.exception("esb command failed; it will be redelivered")
            await asyncio.sleep(retry_delay(message))
            await message.nack(requeue=True)
            return
        await message.ack()

    async def _run(self, command: Command) -> None:
        async with self.database.write() as session:
            reply = await self.desk.run(session, command)
            if reply is None:
                ESB_COMMANDS.labels(command.caller, "duplicate").inc()
                return
            await self.topology.events.publish(
                out_message(
                    reply.data,
                    reference=reply.reference,
                    event_id=reply.event_id,
                    correlation_id=command.event.id,
                ),
                routing_key=routing_key(command.caller, reply.data),
                timeout=PUBLISH_TIMEOUT_S,
            )
        ESB_COMMANDS.labels(command.caller, "done").inc()

    async def _refuse(
        self, message: AbstractIncomingMessage, caller: str | None, reason: str, detail: str
    ) -> None:
        """The error event (to a known caller) and the DLQ; requeued if either fails."""
        log.warning("esb command refused", extra={"caller": caller, "reason": reason})
        try:
            if caller is not None:
                await self._tell_rejected(message, caller, reason, detail)
            await self._dead_letter(message, reason, detail)
        except Exception:
            log.exception("could not refuse an esb command; it will be redelivered")
            await asyncio.sleep(retry_delay(message))
            await message.nack(requeue=True)
            return
        ESB_COMMANDS.labels(caller or "-", "rejected").inc()
        await message.ack()

    async def _tell_rejected(
        self, message: AbstractIncomingMessage, caller: str, reason: str, detail: str
    ) -> None:
        command_id = event_id_of(message)
        headers = message.headers or {}
        raw_type = headers.get("ce-type")
        data = EsbCommandRejectedV1(
            command_id=command_id,
            command_type=raw_type.decode() if isinstance(raw_type, bytes) else raw_type,
            reason=reason,
            detail=detail[:1000],
        )
        route = routing_key(caller, data)
        if message.reply_to and message.reply_to.startswith(f"{caller}."):
            route = message.reply_to
        stable = deterministic_id(caller, command_id, reason) if command_id else None
        reference = headers.get("ce-subject")
        await self.topology.events.publish(
            out_message(
                data,
                reference=str(reference) if isinstance(reference, str) else None,
                event_id=stable,
                correlation_id=command_id,
            ),
            routing_key=route,
            timeout=PUBLISH_TIMEOUT_S,
        )

    async def _dead_letter(
        self, message: AbstractIncomingMessage, reason: str, detail: str
    ) -> None:
        copy = aio_pika.Message(
            message.body,
            headers={
                **(message.headers or {}),
                DEAD_REASON: reason,
                DEAD_DETAIL: detail[:1000],
                DEAD_CONSUMER: CONSUMER,
                "x-original-routing-key": message.routing_key or "",
            },
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            reply_to=message.reply_to,
            type=message.type,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            timestamp=message.timestamp,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.topology.dead_letter_exchange.publish(
            copy, routing_key=message.routing_key or "", timeout=PUBLISH_TIMEOUT_S
        )
