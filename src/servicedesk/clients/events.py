"""What the clients service tells others: client.created, client.updated."""

from __future__ import annotations

from servicedesk.clients.models import Client, outbox
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import DomainEvent, record_event

CLIENT_CREATED = "client.created"
CLIENT_UPDATED = "client.updated"


def client_payload(client: Client) -> dict[str, object]:
    return {
        "id": str(client.id),
        "display_name": client.display_name,
        "kind": client.kind,
        "email": client.email,
        "phone": client.phone,
        "tax_id": client.tax_id,
        "external_id": client.external_id,
        "version": client.version,
    }


async def client_changed(session: WriteSession, event_type: str, client: Client) -> None:
    await record_event(
        session, outbox, DomainEvent(event_type, "client", str(client.id), client_payload(client))
    )
