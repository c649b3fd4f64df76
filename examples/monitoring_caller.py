"""A monitoring system calling the service desk over the ESB (docs/esb.md).

It opens an incident for an alert with a CloudEvent in binary content mode (`ce-` headers,
JSON data), its alert id as the CloudEvents `subject` (its own reference), then prints what the
desk tells it about that incident (created, status changes, comments, resolved, closed) until
you stop it. It uses only its own RabbitMQ user, `esb-monitoring`, which the bootstrap creates.

    .venv/bin/python examples/monitoring_caller.py --title "Disk full on db-7"
    .venv/bin/python examples/monitoring_caller.py --status ALERT-1234   # ask for the status

Needs the local stack (`./sd up`). Works with aio-pika alone, as a caller's code would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

URL = "amqp://esb-monitoring:local-esb-monitoring@127.0.0.1:5672/servicedesk"
COMMANDS, EVENTS = "servicedesk.esb.commands", "servicedesk.esb.events"
QUEUE = "monitoring.events"  # a queue of our own: the user may only name queues monitoring.*


def command(kind: str, data: dict[str, object], reference: str) -> aio_pika.Message:
    event_id = str(uuid.uuid4())
    return aio_pika.Message(
        json.dumps(data).encode(),
        content_type="application/json",
        message_id=event_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={
            "ce-specversion": "1.0",
            "ce-id": event_id,
            "ce-source": "/monitoring/zabbix",
            "ce-type": f"servicedesk.esb.{kind}.v1",
            "ce-time": datetime.now(UTC).isoformat(),
            "ce-subject": reference,
        },
    )


def show(message: AbstractIncomingMessage) -> None:
    headers = message.headers or {}
    print(f"{headers.get('ce-type')}  reference={headers.get('ce-subject')}")
    print("   ", message.body.decode())


async def main(args: argparse.Namespace) -> None:
    connection = await aio_pika.connect_robust(args.url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(QUEUE, durable=True)
        await queue.bind(EVENTS, routing_key="monitoring.#")
        commands = await channel.get_exchange(COMMANDS, ensure=False)
        if args.status:
            message = command("get_status", {}, args.status)
            await commands.publish(message, routing_key="monitoring.get_status")
        else:
            reference = args.reference or f"ALERT-{uuid.uuid4().hex[:6]}"
            data = {"title": args.title, "description": args.description, "impact": "high"}
            message = command("create_incident", data, reference)
            await commands.publish(message, routing_key="monitoring.create_incident")
            print(f"sent create_incident for {reference}; listening (Ctrl-C to stop)")
        async with queue.iterator() as heard:
            async for message in heard:
                async with message.process():
                    show(message)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=URL)
    parser.add_argument("--title", default="Disk /var at 97% on db-7")
    parser.add_argument("--description", default="Trigger 4711: free space below 3%.")
    parser.add_argument("--reference", help="the alert id (default: a new one)")
    parser.add_argument("--status", metavar="REFERENCE", help="ask for an incident's status")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
