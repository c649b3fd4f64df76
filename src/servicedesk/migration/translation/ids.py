"""Ids of records moved from the legacy system, and the error of a record that cannot move."""

from __future__ import annotations

CUSTOMER_PREFIX = "LC-"
"""`external_id` of a client moved from the legacy system: `LC-<CustomerID>`."""
ORDER_PREFIX = "LO-"
"""`external_id` of an order moved from the legacy system: `LO-<OrderID>`."""


class TranslationError(ValueError):
    """A legacy record that cannot become one of ours at all."""


def customer_external_id(customer_id: int) -> str:
    return f"{CUSTOMER_PREFIX}{customer_id}"


def order_external_id(order_id: int) -> str:
    return f"{ORDER_PREFIX}{order_id}"


def _legacy_id(external_id: str, prefix: str) -> int | None:
    number = external_id.removeprefix(prefix)
    if number == external_id or not number.isascii() or not number.isdigit():
        return None
    if number.startswith("0") or len(number) > 19:
        return None
    return int(number)


def legacy_customer_id(external_id: str) -> int | None:
    """The CustomerID behind `LC-<CustomerID>`; None for any other external id."""
    return _legacy_id(external_id, CUSTOMER_PREFIX)


def legacy_order_id(external_id: str) -> int | None:
    """The OrderID behind `LO-<OrderID>`; None for any other external id."""
    return _legacy_id(external_id, ORDER_PREFIX)
