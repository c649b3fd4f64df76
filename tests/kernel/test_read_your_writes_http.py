"""Read-your-writes through the request dependencies, with real users and the paused standby."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Request
from pydantic import SecretStr
from sqlalchemy import text

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.auth import CurrentPrincipal
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict
from servicedesk.kernel.settings import DatabaseSettings, KeycloakSettings, ServiceSettings
from tests.support.apps import serve
from tests.support.infra import STANDBY_PORT, admin_connection, admin_url
from tests.support.tokens import TokenShop, bearer

router = APIRouter(prefix="/notes", tags=["notes"])


@router.post("", status_code=201)
async def add_note(principal: CurrentPrincipal, session: WriteSessionDep) -> dict[str, str]:
    note_id = uuid.uuid4()
    await session.execute(
        text("insert into kernel_test.notes values (:id, :body)"),
        {"id": note_id, "body": f"by {principal.username}"},
    )
    return {"id": str(note_id)}


@router.post("/doomed/{marker}")
async def add_then_fail(marker: str, session: WriteSessionDep) -> None:
    await session.execute(
        text("insert into kernel_test.notes values (gen_random_uuid(), :body)"), {"body": marker}
    )
    raise Conflict("the note clashes with another")


@router.get("/{note_id}")
async def read_note(
    note_id: uuid.UUID, session: ReadSessionDep, request: Request
) -> dict[str, object]:
    body = await session.scalar(
        text("select body from kernel_test.notes where id = :id"), {"id": note_id}
    )
    return {"body": body, "source": request.state.read_source}


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    admin = await admin_connection()
    await admin.execute(
        "create schema if not exists kernel_test;"
        "create table if not exists kernel_test.notes (id uuid primary key, body text not null)"
    )
    await admin.close()
    database = DatabaseSettings(
        primary_url=SecretStr(admin_url(driver="postgresql+asyncpg")),
        standby_url=SecretStr(admin_url(STANDBY_PORT, driver="postgresql+asyncpg")),
        replica_wait_ms=100,
    )
    spec = ServiceSpec(
        name="notes",
        title="notes",
        settings=ServiceSettings(),
        keycloak=KeycloakSettings.local("tickets"),
        routers=[router],
        database=database,
        uses_broker=False,
    )
    async with serve(create_service_app(spec)) as client:
        yield client


async def test_the_writer_sees_the_write_at_once_others_once_replayed(
    api: httpx.AsyncClient, tokens: TokenShop
) -> None:
    agent, other = bearer(await tokens.access("agent1")), bearer(await tokens.access("agent2"))
    standby = await admin_connection(STANDBY_PORT)
    await standby.execute("select pg_wal_replay_pause()")
    try:
        created = await api.post("/notes", headers=agent)
        assert created.status_code == 201, created.text
        note = created.json()["id"]

        mine = (await api.get(f"/notes/{note}", headers=agent)).json()
        assert mine == {"body": "by agent1", "source": "primary"}

        theirs = (await api.get(f"/notes/{note}", headers=other)).json()
        assert theirs == {"body": None, "source": "standby"}
    finally:
        await standby.execute("select pg_wal_replay_resume()")
        await standby.close()


async def test_a_failed_request_commits_nothing(api: httpx.AsyncClient) -> None:
    marker = f"doomed-{uuid.uuid4()}"
    response = await api.post(f"/notes/doomed/{marker}")
    assert response.status_code == 409
    admin = await admin_connection()
    try:
        kept = await admin.fetchval(
            "select count(*) from kernel_test.notes where body = $1", marker
        )
    finally:
        await admin.close()
    assert kept == 0
