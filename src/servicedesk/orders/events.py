"""What the orders service tells others: order.created (servicedesk.contracts)."""

from __future__ import annotations

from servicedesk.contracts import OrderCreatedV1
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.events import record_event
from servicedesk.orders.models import Order, outbox

ORDER_CREATED = OrderCreatedV1.contract.name


def order_created_event(order: Order) -> OrderCreatedV1:
    return OrderCreatedV1(
        id=order.id,
        number=order.number,
        client_id=order.client_id,
        status=order.status,
        total_amount=str(order.total_amount),
        currency=order.currency,
        external_id=order.external_id,
        created_at=order.created_at,
    )


async def order_created(session: WriteSession, order: Order) -> None:
    await record_event(session, outbox, order_created_event(order), subject=str(order.id))
