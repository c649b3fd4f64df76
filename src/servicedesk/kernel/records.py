"""A typed base for the repositories of records that may have come from the legacy system.

Such a record has a UUID `id` of ours and, when it was moved, the legacy system's id as
`external_id`. The reads every service holding them needs are written once here:

    class ClientRepository(RecordRepository[Client]):
        model = Client
        external_id = Client.external_id
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

Record = TypeVar("Record", bound=DeclarativeBase)


class RecordRepository(Generic[Record]):
    model: type[Record]
    external_id: ClassVar[InstrumentedAttribute[str | None]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def _legacy_id(cls) -> InstrumentedAttribute[str | None]:
        return cls.external_id  # from the class: through an instance it would read a value

    async def get(self, record_id: uuid.UUID) -> Record | None:
        return await self.session.get(self.model, record_id)

    async def require(self, record_id: uuid.UUID, missing: Exception) -> Record:
        """The record, else `missing` is raised (a service's NotFound)."""
        found = await self.get(record_id)
        if found is None:
            raise missing
        return found

    async def require_by_external_id(self, external_id: str, missing: Exception) -> Record:
        found = await self.get_by_external_id(external_id)
        if found is None:
            raise missing
        return found

    async def get_by_external_id(self, external_id: str) -> Record | None:
        return await self.session.scalar(select(self.model).where(self._legacy_id() == external_id))

    async def by_external_ids(self, external_ids: list[str]) -> dict[str, Record]:
        """The records we hold among these legacy ids, by legacy id."""
        found = await self.session.scalars(
            select(self.model).where(self._legacy_id().in_(external_ids))
        )
        return {str(getattr(record, self._legacy_id().key)): record for record in found}

    async def stats(self) -> tuple[int, int]:
        """How many records we hold, and how many of them came from the legacy system."""
        statement = select(func.count(), func.count(self._legacy_id())).select_from(self.model)
        row = (await self.session.execute(statement)).one()
        return int(row[0]), int(row[1])
