"""What the clients service tells others: client.created, client.updated (servicedesk.contracts)."""

from __future__ import annotations

from servicedesk.clients.models import Client, outbox
from servicedesk.contracts import ClientCreatedV1, ClientUpdatedV1
from servicedesk.contracts.clients import ClientRecord
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import record_event

CLIENT_CREATED = ClientCreatedV1.contract.name
CLIENT_UPDATED = ClientUpdatedV1.contract.name
_CONTRACTS: dict[str, type[ClientRecord]] = {
    CLIENT_CREATED: ClientCreatedV1,
    CLIENT_UPDATED: ClientUpdatedV1,
}


def client_event(event_type: str, client: Client) -> ClientRecord:
    """The `data` of client.created / client.updated: the record after the change."""
    return _CONTRACTS[event_type](
        id=client.id,
        display_name=client.display_name,
        kind=client.kind,
        email=client.email,
        phone=client.phone,
        tax_id=client.tax_id,
        external_id=client.external_id,
        version=client.version,
    )


async def client_changed(session: WriteSession, event_type: str, client: Client) -> None:
    await record_event(session, outbox, client_event(event_type, client), subject=str(client.id))
