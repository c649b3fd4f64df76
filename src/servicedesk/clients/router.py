"""HTTP endpoints of the clients service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter

from servicedesk.clients import service
from servicedesk.clients.auth import ClientImporter, ClientReader, ClientWriter
from servicedesk.clients.schemas import (
    BulkUpsertRequest,
    ClientCreate,
    ClientMatch,
    ClientMatchesAfter,
    ClientOut,
    ClientPatch,
    ClientsByNameAfter,
    UpsertResult,
)
from servicedesk.kernel.cursors import CursorCodec, CursorParam
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import Conflict, NotFound, PreconditionFailed, problems
from servicedesk.kernel.etags import IfMatch, PreconditionRequired, expected_version, set_etag
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.pagination import MAX_PAGE_SIZE, Page, RecordStats, json_response

router = APIRouter(prefix="/api/v1/clients", tags=["clients"])
CLIENT_LIST = TypeAdapter(list[ClientOut])
MATCH_LIST = TypeAdapter(list[ClientMatch])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
BY_NAME = CursorCodec("clients-by-name", ClientsByNameAfter)
MATCHES = CursorCodec("clients-search", ClientMatchesAfter)  # scope: the search text


def _with_etag(client: object, response: Response) -> ClientOut:
    shown = ClientOut.model_validate(client)
    set_etag(response, shown.version)
    return shown


@router.get("", response_model=Page[ClientOut])
async def list_clients(
    _: ClientReader, session: ReadSessionDep, limit: Limit = 50, cursor: CursorParam = None
) -> Response:
    """All clients by name, a page at a time (keyset: stable while records are added)."""
    rows = await service.clients_by_name(session, BY_NAME.decode(cursor), limit)
    last = rows[-1] if len(rows) == limit else None
    page = Page[ClientOut](
        items=CLIENT_LIST.validate_python([dict(r) for r in rows]),
        next_cursor=BY_NAME.encode(ClientsByNameAfter(name=last["search_name"], id=last["id"]))
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
    cursor: CursorParam = None,
) -> Response:
    """Clients whose name contains the text or is close to it (typos, ё/е), best match first."""
    rows = await service.search_clients(session, q, MATCHES.decode(cursor, scope=q), limit)
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        after = ClientMatchesAfter(
            score=float(last["score"]), name=last["search_name"], id=last["id"]
        )
        next_cursor = MATCHES.encode(after, scope=q)
    items = MATCH_LIST.validate_python([dict(r) for r in rows])
    return json_response(Page[ClientMatch](items=items, next_cursor=next_cursor))


@router.get("/stats", response_model=RecordStats)
async def client_stats(_: ClientReader, session: ReadSessionDep) -> RecordStats:
    """How many clients we hold, and how many of them came from the legacy system."""
    total, from_legacy = await service.client_stats(session)
    return RecordStats(total=total, from_legacy=from_legacy)


@router.get("/by-external-ids", response_model=list[ClientOut])
async def get_clients_by_external_ids(
    _: ClientReader,
    session: ReadSessionDep,
    external_id: Annotated[list[str], Query(min_length=1, max_length=200)],
) -> Response:
    """The clients we hold among these legacy ids (those we do not hold are left out)."""
    found = await service.clients_by_external_ids(session, external_id)
    items = CLIENT_LIST.validate_python(found, from_attributes=True)
    return json_response(items)


@router.get("/by-external-id/{external_id}", response_model=ClientOut, responses=problems(NotFound))
async def get_client_by_external_id(
    external_id: str, _: ClientReader, session: ReadSessionDep, response: Response
) -> ClientOut:
    return _with_etag(await service.client_by_external_id(session, external_id), response)


@router.get("/{client_id}", response_model=ClientOut, responses=problems(NotFound))
async def get_client(
    client_id: uuid.UUID, _: ClientReader, session: ReadSessionDep, response: Response
) -> ClientOut:
    return _with_etag(await service.client_by_id(session, client_id), response)


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
    if_match: IfMatch = None,
) -> ClientOut:
    """Edits the fields sent; If-Match must carry the ETag read, else 412 (changed since)."""
    version = expected_version(if_match, _t("a client"))
    client = await service.update_client(session, client_id, patch, version, actor)
    return _with_etag(client, response)


@router.post("/bulk-upsert", response_model=list[UpsertResult])
async def bulk_upsert_clients(
    request: BulkUpsertRequest, actor: ClientImporter, session: WriteSessionDep
) -> list[UpsertResult]:
    """Legacy records by external_id: created once, however often and concurrently sent."""
    return await service.bulk_upsert(session, request, actor)
