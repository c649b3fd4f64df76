"""Every query of the clients service."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnClause,
    ColumnElement,
    Numeric,
    Select,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping

from servicedesk.clients.models import Client, NameWord
from servicedesk.clients.schemas import ClientMatchesAfter, ClientsByNameAfter
from servicedesk.kernel.records import RecordRepository

_IMPORTED_FIELDS = ("display_name", "kind", "email", "phone", "tax_id")
_INSERTED: ColumnClause[bool] = literal_column(
    "(xmax = 0)", Boolean
)  # true on rows INSERT … ON CONFLICT inserted


def fold_name(text: str) -> str:
    """The same folding as the SQL function clients.fold_name: lower case, ё→е, single spaces."""
    return " ".join(text.lower().replace("ё", "е").split())


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SEARCH_CANDIDATES = 60
WORD_CANDIDATES = 8
MAX_QUERY_WORDS = 5


def name_words(folded: str) -> list[str]:
    """The same split as the SQL function clients.name_words: runs of letters and digits."""
    return [w for w in re.split(r"[\W_]+", folded) if w][:MAX_QUERY_WORDS]


def _words_like(word: str) -> ColumnElement[list[str]]:
    """Vocabulary words for one query word: those containing it and, when it is no word we know
    (a typo), its nearest spellings."""
    containing = select(NameWord.word).where(NameWord.word.like(_like_pattern(word)))
    known = select(NameWord.word).where(NameWord.word == word).exists()
    nearest = select(NameWord.word).where(~known).order_by(NameWord.word.op("<->")(word))
    chosen = union(
        containing.limit(WORD_CANDIDATES), nearest.limit(WORD_CANDIDATES // 2)
    ).subquery()
    return select(func.array_agg(chosen.c.word)).scalar_subquery()


def search_statement(query: str, after: ClientMatchesAfter | None, limit: int) -> Select[Any]:
    """Clients having, for every query word, a word equal, containing or close to it.

    Query words are matched against the small vocabulary of name words first, then clients are
    found through the GIN index on their words; the first 60 such clients are ranked by word
    similarity to the whole query (a query that common is better narrowed than paged through).
    """
    words = name_words(query)
    conditions = [Client.search_words.overlap(_words_like(w)) for w in words] or [false()]
    candidates = select(Client.id).where(*conditions).limit(SEARCH_CANDIDATES).subquery()
    # rounded, so the score a cursor carries compares equal when it comes back
    score = func.round(cast(func.word_similarity(query, Client.search_name), Numeric), 4)
    statement = select(*Client.__table__.c, score.label("score")).join(
        candidates, Client.id == candidates.c.id
    )
    if after is not None:
        statement = statement.where(
            or_(
                score < after.score,
                and_(
                    score == after.score,
                    tuple_(Client.search_name, Client.id)
                    > tuple_(literal(after.name), literal(after.id)),
                ),
            )
        )
    return statement.order_by(score.desc(), Client.search_name, Client.id).limit(limit)


class ClientRepository(RecordRepository[Client]):
    model = Client
    external_id = Client.external_id

    async def page_by_name(
        self, after: ClientsByNameAfter | None, limit: int
    ) -> Sequence[RowMapping]:
        """Rows, not entities: lists are read-only and this is their hot path."""
        statement = select(*Client.__table__.c).order_by(Client.search_name, Client.id).limit(limit)
        if after is not None:
            statement = statement.where(
                tuple_(Client.search_name, Client.id)
                > tuple_(literal(after.name), literal(after.id))
            )
        return (await self.session.execute(statement)).mappings().all()

    async def search(
        self, query: str, after: ClientMatchesAfter | None, limit: int
    ) -> Sequence[RowMapping]:
        """Rows with their `score`, best first."""
        result = await self.session.execute(search_statement(fold_name(query), after, limit))
        rows: Sequence[RowMapping] = result.mappings().all()
        return rows

    async def add(self, client: Client) -> Client:
        self.session.add(client)
        await self.session.flush()
        await self.session.refresh(client)
        return client

    async def update_if_version(
        self, client_id: uuid.UUID, expected_version: int, changes: dict[str, Any]
    ) -> Client | None:
        statement = (
            update(Client)
            .where(Client.id == client_id, Client.version == expected_version)
            .values(**changes, version=Client.version + 1, updated_at=func.now())
            .returning(Client)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return (await self.session.scalars(statement)).one_or_none()

    async def upsert_many(
        self, rows: list[dict[str, Any]], *, overwrite: bool
    ) -> dict[str, tuple[uuid.UUID, int, bool]]:
        """Inserts new legacy ids; overwrites or keeps existing ones. Returns external id →
        (id, version, created) for the rows it inserted or changed."""
        statement = insert(Client).values(rows)
        if overwrite:
            excluded = statement.excluded
            changed = tuple_(*(getattr(Client, f) for f in _IMPORTED_FIELDS)).is_distinct_from(
                tuple_(*(getattr(excluded, f) for f in _IMPORTED_FIELDS))
            )
            statement = statement.on_conflict_do_update(
                index_elements=[Client.external_id],
                set_={
                    **{f: getattr(excluded, f) for f in _IMPORTED_FIELDS},
                    "version": Client.version + 1,
                    "updated_at": func.now(),
                    "updated_by": excluded.updated_by,
                },
                where=changed,
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=[Client.external_id])
        returning = statement.returning(Client.external_id, Client.id, Client.version, _INSERTED)
        result = await self.session.execute(returning)
        return {str(r[0]): (r[1], r[2], bool(r[3])) for r in result}
