"""What the orders service tells others: order.created."""

from __future__ import annotations

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import DomainEvent, record_event
from servicedesk.orders.models import Order, outbox

ORDER_CREATED = "order.created"


def order_payload(order: Order) -> dict[str, object]:
    return {
        "id": str(order.id),
        "number": order.number,
        "client_id": str(order.client_id),
        "status": order.status,
        "total_amount": str(order.total_amount),
        "currency": order.currency,
        "external_id": order.external_id,
        "created_at": order.created_at.isoformat(),
    }


async def order_created(session: WriteSession, order: Order) -> None:
    await record_event(
        session, outbox, DomainEvent(ORDER_CREATED, "order", str(order.id), order_payload(order))
    )
