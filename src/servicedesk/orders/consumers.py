"""Events orders listens to: client records, kept as the projection of known clients."""

from __future__ import annotations

from servicedesk.kernel.consumer import ReceivedEvent, Subscription
from servicedesk.kernel.db import WriteSession
from servicedesk.orders.client_directory import remember_client
from servicedesk.orders.models import processed_messages


async def on_client_event(session: WriteSession, event: ReceivedEvent) -> None:
    await remember_client(session, event.data)


CLIENT_PROJECTION = Subscription(
    queue="orders.client-projection",
    bindings=("client.created", "client.updated"),
    processed=processed_messages,
    handler=on_client_event,
)
