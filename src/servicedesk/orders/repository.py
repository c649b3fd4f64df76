"""Every query of the orders service."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.records import RecordRepository
from servicedesk.orders.models import KnownClient, Order
from servicedesk.orders.schemas import OrderMatchesAfter, OrderNumbersAfter, OrdersNewestAfter

NUMBER_QUERY = re.compile(r"^[A-Za-z]{1,5}-?[0-9]+$")


def fold_text(value: str) -> str:
    """The same folding as the SQL function orders.fold_text."""
    return " ".join(value.lower().replace("ё", "е").split())


def search_text_of(number: str, client_name: str, titles: list[str]) -> str:
    return fold_text(" ".join([number, client_name, *titles]))


def _like_pattern(text_: str) -> str:
    return "%" + text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _after_recent(after: OrdersNewestAfter | None) -> ColumnElement[bool] | None:
    if after is None:
        return None
    return tuple_(Order.created_at, Order.id) < tuple_(literal(after.created_at), literal(after.id))


def text_score(query: str) -> ColumnElement[float]:
    return func.word_similarity(query, Order.search_text)


def text_search_statement(
    query: str, after: OrderMatchesAfter | None, limit: int
) -> Select[Order, float]:
    folded = fold_text(query)
    score = text_score(folded)
    statement = select(Order, score.label("score")).where(
        or_(
            Order.search_text.like(_like_pattern(folded)),
            Order.search_text.bool_op("%>")(literal(folded)),
        )
    )
    if after is not None:
        statement = statement.where(
            or_(
                score < after.score,
                and_(
                    score == after.score,
                    tuple_(Order.created_at, Order.id)
                    < tuple_(literal(after.created_at), literal(after.id)),
                ),
            )
        )
    return statement.order_by(score.desc(), Order.created_at.desc(), Order.id.desc()).limit(limit)


def number_search_statement(
    query: str, after: OrderNumbersAfter | None, limit: int
) -> Select[Order]:
    prefix = query.upper().replace("\\", "").replace("%", "").replace("_", "") + "%"
    statement = select(Order).where(Order.number.like(prefix))
    if after is not None:
        statement = statement.where(Order.number > after.number)
    return statement.order_by(Order.number).limit(limit)


class OrderRepository(RecordRepository[Order]):
    model = Order
    external_id = Order.external_id

    async def recent(self, after: OrdersNewestAfter | None, limit: int) -> Sequence[Order]:
        statement = select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
        condition = _after_recent(after)
        if condition is not None:
            statement = statement.where(condition)
        return (await self.session.scalars(statement)).all()

    async def of_client(
        self, client_id: uuid.UUID, after: OrdersNewestAfter | None, limit: int
    ) -> Sequence[Order]:
        statement = (
            select(Order)
            .where(Order.client_id == client_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
        condition = _after_recent(after)
        if condition is not None:
            statement = statement.where(condition)
        return (await self.session.scalars(statement)).all()

    async def by_number_prefix(
        self, query: str, after: OrderNumbersAfter | None, limit: int
    ) -> Sequence[Order]:
        return (await self.session.scalars(number_search_statement(query, after, limit))).all()

    async def by_text(
        self, query: str, after: OrderMatchesAfter | None, limit: int
    ) -> list[tuple[Order, float]]:
        rows = await self.session.execute(text_search_statement(query, after, limit))
        return [(row[0], float(row[1])) for row in rows]

    async def next_number(self) -> str:
        value = await self.session.scalar(text("select nextval('orders.order_number_seq')"))
        return f"ORD-{int(value or 0):07d}"

    async def add(self, order: Order) -> Order:
        self.session.add(order)
        await self.session.flush()
        await self.session.refresh(order)
        return order

    async def insert_new(self, rows: list[dict[str, Any]]) -> set[str]:
        """Inserts the rows whose external_id is new; returns those external ids."""
        statement = (
            insert(Order)
            .values(rows)
            .on_conflict_do_nothing(index_elements=[Order.external_id])
            .returning(Order.external_id)
        )
        return {str(r) for r in (await self.session.scalars(statement)).all()}

    async def known_clients(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, KnownClient]:
        result = await self.session.scalars(select(KnownClient).where(KnownClient.id.in_(ids)))
        return {c.id: c for c in result}
