"""FastAPI dependencies: sessions owned by the request, committed before the response is sent.

Writes take `WriteSessionDep`, reads `ReadSessionDep` (the standby when it has caught up with
the reader's own writes); the two are different types, so the type checker keeps them apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from servicedesk.kernel.auth import Principal, authenticated_principal
from servicedesk.kernel.db import Database, ReadSession, WriteSession
from servicedesk.kernel.state import kernel_state


def database(request: Request) -> Database:
    return kernel_state(request).require_database()


async def _write_session(request: Request) -> AsyncIterator[WriteSession]:
    def reader() -> str | None:
        principal: Principal | None = getattr(request.state, "principal", None)
        return principal.subject if principal else None

    async with database(request).write_for(reader) as session:
        yield session


async def _read_session(
    request: Request, principal: Annotated[Principal, Depends(authenticated_principal)]
) -> AsyncIterator[ReadSession]:
    async with database(request).read(principal.subject) as session:
        request.state.read_source = session.source
        yield session


async def _keyless_read_session(request: Request) -> AsyncIterator[ReadSession]:
    async with database(request).read() as session:
        request.state.read_source = session.source
        yield session


WriteSessionDep = Annotated[WriteSession, Depends(_write_session, scope="function")]
ReadSessionDep = Annotated[ReadSession, Depends(_read_session, scope="function")]
# For routes that know their callers another way (an API key): reads with no principal, so
# without read-your-writes routing.
KeylessReadSessionDep = Annotated[ReadSession, Depends(_keyless_read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(database)]
