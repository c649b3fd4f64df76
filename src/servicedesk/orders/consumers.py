"""Events orders listens to: client records, kept as the projection of known clients."""

from __future__ import annotations

from servicedesk.contracts import ClientCreatedV1, ClientUpdatedV1
from servicedesk.contracts.clients import ClientRecord
from servicedesk.kernel.consumer import ReceivedEvent, Subscription
from servicedesk.kernel.db import WriteSession
from servicedesk.orders.client_directory import remember_client
from servicedesk.orders.models import processed_messages


async def on_client_event(session: WriteSession, event: ReceivedEvent) -> None:
    client = event.data_as(ClientRecord)
    await remember_client(session, client.model_dump(mode="json"))


CLIENT_PROJECTION = Subscription(
    queue="orders.client-projection",
    bindings=(ClientCreatedV1.contract.type, ClientUpdatedV1.contract.type),
    processed=processed_messages,
    handler=on_client_event,
)
