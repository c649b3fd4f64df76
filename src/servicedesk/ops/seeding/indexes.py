"""Secondary indexes dropped for a big load and built again once their table is loaded.

Building an index once is much faster than keeping it up to date row by row, the trigram and
text ones above all; the queries on the table are slow meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import asyncpg

_SECONDARY_INDEXES = """
select i.relname, pg_get_indexdef(x.indexrelid)
from pg_index x join pg_class i on i.oid = x.indexrelid
where x.indrelid = to_regclass($1) and not x.indisunique
order by i.relname
"""


async def drop_secondary_indexes(connection: asyncpg.Connection, table: str) -> list[str]:
    """Drops the non-unique indexes of `table`; returns the statements that re-create them,
    the longest to build (GIN) first."""
    definitions: list[str] = []
    for name, definition in await connection.fetch(_SECONDARY_INDEXES, table):
        await connection.execute(f'drop index "{table.split(".")[0]}"."{name}"')
        definitions.append(definition)
    return sorted(definitions, key=lambda d: " using gin " not in d.lower())


class IndexRebuild:
    """Re-creates the dropped indexes of a table as soon as it is fully loaded, while the
    other tables still load, on up to `parallel` connections."""

    def __init__(self, dsn: str, parallel: int) -> None:
        self._dsn = dsn
        self._slots = asyncio.Semaphore(max(1, parallel))
        self._pending: dict[str, list[str]] = {}
        self._builds: list[asyncio.Task[None]] = []
        self._started: float | None = None

    async def drop(self, connection: asyncpg.Connection, tables: Iterable[str]) -> None:
        for table in tables:
            self._pending[table] = await drop_secondary_indexes(connection, table)

    def table_loaded(self, table: str) -> None:
        definitions = self._pending.pop(table, [])
        if definitions and self._started is None:
            self._started = time.perf_counter()
        self._builds += [asyncio.create_task(self._create(d)) for d in definitions]

    async def finish(self) -> float | None:
        """Re-creates what is left (after a failed load too); returns the seconds spent."""
        for table in list(self._pending):
            self.table_loaded(table)
        await asyncio.gather(*self._builds)
        return None if self._started is None else time.perf_counter() - self._started

    async def _create(self, definition: str) -> None:
        async with self._slots:
            connection = await asyncpg.connect(self._dsn)
            try:
                await connection.execute("set maintenance_work_mem = '1GB'")
                await connection.execute(definition)
            finally:
                await connection.close()
