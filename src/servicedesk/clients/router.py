"""HTTP endpoints of the clients service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import TypeAdapter

from servicedesk.clients import service
from servicedesk.clients.auth import ClientImporter, ClientReader, ClientWriter
from servicedesk.clients.models import Client
from servicedesk.clients.repository import ClientRepository
from servicedesk.clients.schemas import (
    BulkUpsertRequest,
    ClientCreate,
    ClientMatch,
    ClientOut,
    ClientPatch,
    UpsertResult,
)
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    ProblemError,
    problems,
)
from servicedesk.kernel.pagination import (
    MAX_PAGE_SIZE,
    Page,
    RecordStats,
    decode_cursor,
    encode_cursor,
    json_response,
)

router = APIRouter(prefix="/api/v1/clients", tags=["clients"])
CLIENT_LIST = TypeAdapter(list[ClientOut])
MATCH_LIST = TypeAdapter(list[ClientMatch])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str | None, Query(max_length=512)]


class PreconditionRequired(ProblemError):
    status, code, title = 428, "precondition-required", "Precondition required"


def _with_etag(client: Client, response: Response) -> ClientOut:
    response.headers["ETag"] = f'"{client.version}"'
    return ClientOut.model_validate(client)


def _expected_version(if_match: str | None) -> int:
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag of the version you edit")
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise PreconditionFailed(f"If-Match {if_match!r} is not an ETag of a client version")
    return int(tag)


@router.get("", response_model=Page[ClientOut])
async def list_clients(
    _: ClientReader, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """All clients by name, a page at a time (keyset: stable while records are added)."""
    after = decode_cursor(cursor, "clients-by-name", 2) if cursor else None
    key = (after[0], uuid.UUID(after[1])) if after else None
    rows = await ClientRepository(session).page_by_name(key, limit)
    last = rows[-1] if len(rows) == limit else None
    page = Page[ClientOut](
        items=CLIENT_LIST.validate_python([dict(r) for r in rows]),
        next_cursor=encode_cursor("clients-by-name", [last["search_name"], str(last["id"])])
        if last
        else None,
    )
    return json_response(page)


@router.get("/search", response_model=Page[ClientMatch])
async def search_clients(
    _: ClientReader,
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="part of a name")],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Clients whose name contains the text or is close to it (typos, ё/е), best match first."""
    after = decode_cursor(cursor, f"clients-search:{q}", 3) if cursor else None
    key = (float(after[0]), str(after[1]), uuid.UUID(after[2])) if after else None
    rows = await ClientRepository(session).search(q, key, limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = encode_cursor(
            f"clients-search:{q}", [float(last["score"]), last["search_name"], str(last["id"])]
        )
    items = MATCH_LIST.validate_python([dict(r) for r in rows])
    return json_response(Page[ClientMatch](items=items, next_cursor=next_cursor))


@router.get("/stats", response_model=RecordStats)
async def client_stats(_: ClientReader, session: ReadSessionDep) -> RecordStats:
    """How many clients we hold, and how many of them came from the legacy system."""
    total, from_legacy = await ClientRepository(session).stats()
    return RecordStats(total=total, from_legacy=from_legacy)


@router.get("/by-external-ids", response_model=list[ClientOut])
async def get_clients_by_external_ids(
    _: ClientReader,
    session: ReadSessionDep,
    external_id: Annotated[list[str], Query(min_length=1, max_length=200)],
) -> Response:
    """The clients we hold among these legacy ids (those we do not hold are left out)."""
    found = await ClientRepository(session).by_external_ids(external_id)
    items = CLIENT_LIST.validate_python(list(found.values()), from_attributes=True)
    return json_response(items)


@router.get("/by-external-id/{external_id}", response_model=ClientOut, responses=problems(NotFound))
async def get_client_by_external_id(
    external_id: str, _: ClientReader, session: ReadSessionDep, response: Response
) -> ClientOut:
    client = await ClientRepository(session).get_by_external_id(external_id)
    if client is None:
        raise service.ClientNotFound(f"no client has external_id {external_id!r}")
    return _with_etag(client, response)


@router.get("/{client_id}", response_model=ClientOut, responses=problems(NotFound))
async def get_client(
    client_id: uuid.UUID, _: ClientReader, session: ReadSessionDep, response: Response
) -> ClientOut:
    client = await ClientRepository(session).get(client_id)
    if client is None:
        raise service.ClientNotFound(f"client {client_id} does not exist")
    return _with_etag(client, response)


@router.post("", response_model=ClientOut, status_code=201, responses=problems(Conflict))
async def create_client(
    data: ClientCreate, actor: ClientWriter, session: WriteSessionDep, response: Response
) -> ClientOut:
    client = await service.create_client(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{client.id}"
    return _with_etag(client, response)


@router.patch(
    "/{client_id}",
    response_model=ClientOut,
    responses=problems(NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_client(
    client_id: uuid.UUID,
    patch: ClientPatch,
    actor: ClientWriter,
    session: WriteSessionDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ClientOut:
    """Edits the fields sent; If-Match must carry the ETag read, else 412 (changed since)."""
    version = _expected_version(if_match)
    client = await service.update_client(session, client_id, patch, version, actor)
    return _with_etag(client, response)


@router.post("/bulk-upsert", response_model=list[UpsertResult])
async def bulk_upsert_clients(
    request: BulkUpsertRequest, actor: ClientImporter, session: WriteSessionDep
) -> list[UpsertResult]:
    """Legacy records by external_id: created once, however often and concurrently sent."""
    return await service.bulk_upsert(session, request, actor)
