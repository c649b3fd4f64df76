"""A self-check of the client and order generators, run before every load."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

from servicedesk.ops.seeding.clients import ClientRow, ClientSpace, client_rows
from servicedesk.ops.seeding.contacts import PHONE_PATTERN
from servicedesk.ops.seeding.inn import inn_checksum_valid
from servicedesk.ops.seeding.orders import ORDER_STATUSES, OrderPlan, OrderRow, order_rows
from servicedesk.ops.seeding.text import fold_text


def _client_problems(rows: Sequence[ClientRow]) -> list[str]:
    problems: list[str] = []
    for _id, name, _kind, email, phone, tax_id, *_, created, _by, updated, _ in rows:
        if tax_id is not None and not inn_checksum_valid(tax_id):
            problems.append(f"invalid INN {tax_id}")
        if phone is not None and not PHONE_PATTERN.match(phone):
            problems.append(f"invalid phone {phone}")
        if email is not None and (not email.isascii() or email.count("@") != 1):
            problems.append(f"invalid e-mail {email}")
        if len(name) > 200 or updated < created:
            problems.append(f"bad client row {name}")
    return problems


def _order_problems(rows: Sequence[OrderRow]) -> list[str]:
    problems: list[str] = []
    for row in rows:
        items = json.loads(row[7])
        total = sum(item["quantity"] * Decimal(item["unit_price"]) for item in items)
        if total != row[5] or not 1 <= len(items) <= 5 or row[4] not in ORDER_STATUSES:
            problems.append(f"order {row[1]}: bad total, items or status")
        expected = fold_text(" ".join([row[1], row[3], *(item["title"] for item in items)]))
        if row[11] != expected:
            problems.append(f"order {row[1]}: search text {row[11]!r}")
    return problems


def self_check(sample: int = 400) -> None:
    """Raises if the generators break a rule the tables or their readers rely on."""
    key = hashlib.blake2b(b"self-check", digest_size=16).digest()
    space = ClientSpace(key, sample, 1_600_000_000, 3 * 365 * 86_400)
    now = space.start_ts + space.span_s
    clients, _ = client_rows(space, 0, sample, 1, now)
    orders = order_rows(space, OrderPlan(key, sample * 3, 1, 1, now), 0, sample * 3)
    problems = _client_problems(clients) + _order_problems(orders)
    if problems:
        raise RuntimeError(f"fake data self-check failed: {'; '.join(problems[:5])}")
