"""Rows of the legacy database made by hand for a test, and the wait for the standby to have them.

    async with legacy_rows(customers, orders, first=900_000_000, last=900_000_009):
        ...  # the rows are there, on the standby too; deleted afterwards

A row is a tuple in the column order of `legacy.customers` / `legacy.orders`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from tests.support.infra import STANDBY_PORT, admin_connection

INSERT_CUSTOMER = "insert into legacy.customers values ($1, $2, $3, $4, $5, $6, $7, $8)"
INSERT_ORDER = "insert into legacy.orders values ($1, $2, $3, $4, $5, $6, $7, $8)"


async def wait_for_standby(timeout_s: float = 5.0) -> None:
    """Reads go to the standby: wait until it has replayed what the primary wrote so far."""
    primary = await admin_connection()
    standby = await admin_connection(STANDBY_PORT)
    try:
        lsn = await primary.fetchval("select pg_current_wal_lsn()::text")
        query = "select pg_last_wal_replay_lsn() >= $1::text::pg_lsn"
        for _ in range(int(timeout_s / 0.01)):
            if await standby.fetchval(query, lsn):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the standby did not catch up")
    finally:
        await primary.close()
        await standby.close()


@asynccontextmanager
async def legacy_rows(
    customers: Sequence[tuple[object, ...]],
    orders: Sequence[tuple[object, ...]],
    *,
    first: int,
    last: int,
) -> AsyncIterator[None]:
    """Inserts the rows (ids between `first` and `last`), and deletes that range afterwards."""
    admin = await admin_connection()
    try:
        await admin.executemany(INSERT_CUSTOMER, customers)
        await admin.executemany(INSERT_ORDER, orders)
        await wait_for_standby()
        yield
    finally:
        await admin.execute(
            "delete from legacy.orders where order_id between $1 and $2", first, last
        )
        await admin.execute(
            "delete from legacy.customers where customer_id between $1 and $2", first, last
        )
        await admin.close()
