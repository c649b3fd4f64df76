"""FastAPI dependencies: sessions owned by the request, committed before the response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from servicedesk.kernel.auth import Principal, authenticated_principal
from servicedesk.kernel.db import Database, ReadSession, WriteSession


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


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


WriteSessionDep = Annotated[WriteSession, Depends(_write_session, scope="function")]
ReadSessionDep = Annotated[ReadSession, Depends(_read_session, scope="function")]
