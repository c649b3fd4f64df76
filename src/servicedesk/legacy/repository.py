"""Every query of the legacy simulator: customers and orders, offset pages ordered by id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.legacy.models import Customer, CustomerNameTail, Order

_NOT_ALNUM = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """The SQL function legacy.name_key: lower case, words split at anything not a letter or
    digit, joined by one space. No ё/е folding."""
    return _NOT_ALNUM.sub(" ", text.lower()).strip()


def _starts_a_word(key: str) -> ColumnElement[bool]:
    """A word of the name starts with `key` (several words: in a row): an index range scan."""
    return CustomerNameTail.tail.like(f"{key}%")


class LegacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _page(
        self, total: Select[Any], rows: Select[Any], offset: int, count: int
    ) -> tuple[int, Sequence[RowMapping]]:
        found = int(await self.session.scalar(total) or 0)
        if offset >= found:
            return found, []
        page = rows.offset(offset).limit(count)
        return found, (await self.session.execute(page)).mappings().all()

    async def customers(
        self, name: str | None, offset: int, count: int
    ) -> tuple[int, Sequence[RowMapping]]:
        rows = select(*Customer.__table__.c).order_by(Customer.customer_id)
        key = name_key(name or "")
        if not key:
            return await self._page(select(func.count()).select_from(Customer), rows, offset, count)
        matches = _starts_a_word(key)
        total = select(func.count(distinct(CustomerNameTail.customer_id))).where(matches)
        ids = select(CustomerNameTail.customer_id).where(matches)
        return await self._page(total, rows.where(Customer.customer_id.in_(ids)), offset, count)

    async def customer(self, customer_id: int) -> RowMapping | None:
        statement = select(*Customer.__table__.c).where(Customer.customer_id == customer_id)
        return (await self.session.execute(statement)).mappings().one_or_none()

    async def orders(
        self, customer_id: int | None, number: str | None, offset: int, count: int
    ) -> tuple[int, Sequence[RowMapping]]:
        conditions = []
        if customer_id is not None:
            conditions.append(Order.customer_id == customer_id)
        if number is not None:
            conditions.append(Order.order_no == number)
        total = select(func.count()).select_from(Order).where(*conditions)
        rows = select(*Order.__table__.c).where(*conditions).order_by(Order.order_id)
        return await self._page(total, rows, offset, count)

    async def order(self, order_id: int) -> RowMapping | None:
        statement = select(*Order.__table__.c).where(Order.order_id == order_id)
        return (await self.session.execute(statement)).mappings().one_or_none()
