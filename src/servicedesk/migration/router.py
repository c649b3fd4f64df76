"""HTTP endpoints of the migration proxy: the one way the UI and other services reach clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from servicedesk.kernel.calls import UserToken
from servicedesk.kernel.errors import InvalidInput, NotFound, ServiceUnavailable, problems
from servicedesk.migration.auth import ClientReader, ClientWriter
from servicedesk.migration.clients_proxy import (
    LegacyClientPages,
    OurClientPages,
    edit_client,
    search_clients,
)
from servicedesk.migration.lookups import find_client, find_order
from servicedesk.migration.moving import LegacySide, Ours
from servicedesk.migration.orders_proxy import (
    LegacyOrderPages,
    OurOrderPages,
    create_order,
    orders_of_client,
    search_orders,
)
from servicedesk.migration.our_clients import CLIENTS
from servicedesk.migration.union_pages import UnionCursor, union_page

PARTIAL_HEADER = "X-Partial-Sources"
LOOKUP_PROBLEMS = problems(NotFound, InvalidInput, ServiceUnavailable)
router = APIRouter(prefix="/api/v1/clients", tags=["clients"])


@dataclass
class Proxy:
    ours: Ours
    legacy: LegacySide


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _proxy(request: Request) -> Proxy:
    proxy: Proxy = request.app.state.proxy
    return proxy


def _passed_on(answer: httpx.Response) -> Response:
    headers = {k: v for k, v in answer.headers.items() if k.lower() in {"etag", "location"}}
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type"),
        headers=headers,
    )


@router.get("/search", responses=problems(ServiceUnavailable))
async def search(
    principal: ClientReader,
    request: Request,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Ours, then what only the legacy system has. If the legacy system is slow, failing or its
    breaker open, the answer still comes: `partial` (and the X-Partial-Sources header) says so."""
    proxy = _proxy(request)
    answer = await search_clients(q, limit, UserToken(principal.token), proxy.ours, proxy.legacy)
    partial = None
    if answer.partial is not None:
        response.headers[PARTIAL_HEADER] = answer.partial.header()
        partial = answer.partial.body()
    return {"items": answer.items, "partial": partial}


@router.get("", responses=problems(ServiceUnavailable))
async def list_clients(
    principal: ClientReader,
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> dict[str, Any]:
    """Every client of both systems, a page at a time: ours by name, then those only the legacy
    system has. Records that migrate while you page are served once (ADR 0013)."""
    proxy = _proxy(request)
    position = UnionCursor.decode(cursor) if cursor else UnionCursor(_now())
    pages = OurClientPages(proxy.ours, UserToken(principal.token))
    page = await union_page(pages, LegacyClientPages(proxy.legacy), position, limit)
    if page.partial is not None:
        response.headers[PARTIAL_HEADER] = page.partial.header()
    partial = page.partial.body() if page.partial else None
    return {"items": page.items, "next_cursor": page.next_cursor, "partial": partial}


@router.post("", status_code=201, responses=problems(ServiceUnavailable))
async def create(
    principal: ClientWriter, request: Request, body: Annotated[dict[str, Any], Body()]
) -> Response:
    """New clients are ours: passed on to the clients service, which validates them."""
    proxy = _proxy(request)
    user = UserToken(principal.token)
    return _passed_on(await proxy.ours.clients.forward("POST", CLIENTS, user, json=body))


@router.patch("/{reference}", responses=problems(NotFound, ServiceUnavailable))
async def edit(
    reference: str,
    principal: ClientWriter,
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """`reference` is our id, or a legacy id (`LC-<n>`): a legacy-only record is moved in first."""
    proxy = _proxy(request)
    user = UserToken(principal.token)
    answer = await edit_client(reference, body, if_match, user, proxy.ours, proxy.legacy)
    return _passed_on(answer)


@router.get("/{reference}", responses=LOOKUP_PROBLEMS)
async def lookup_client(
    reference: Annotated[str, Path(max_length=64, description="our id or LC-<n>")],
    _: ClientReader,
    request: Request,
) -> dict[str, Any]:
    """One client, as the search shows it: ours (a legacy id we hold included), else the legacy
    system's, read through the cache and never moved in. 503 when only the legacy system could
    answer and it cannot now."""
    proxy = _proxy(request)
    return await find_client(reference, proxy.ours, proxy.legacy)


orders_router = APIRouter(prefix="/api/v1/orders", tags=["orders"])


@orders_router.get("", responses=problems(NotFound, ServiceUnavailable))
async def list_orders(
    principal: ClientReader,
    request: Request,
    response: Response,
    client: Annotated[
        str | None, Query(min_length=1, max_length=64, description="our id or LC-<n>")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> dict[str, Any]:
    """With `client`: that client's orders from both systems. Without: every order of both
    systems, a page at a time, each once while orders migrate (ADR 0013)."""
    proxy = _proxy(request)
    user = UserToken(principal.token)
    if client is not None:
        answer = await orders_of_client(client, limit, user, proxy.ours, proxy.legacy)
        items, next_cursor, partial = answer.items, None, answer.partial
    else:
        position = UnionCursor.decode(cursor) if cursor else UnionCursor(_now())
        page = await union_page(
            OurOrderPages(proxy.ours, user),
            LegacyOrderPages(proxy.legacy),
            position,
            limit,
            moved_field="moved_at",
        )
        items, next_cursor, partial = page.items, page.next_cursor, page.partial
    if partial is not None:
        response.headers[PARTIAL_HEADER] = partial.header()
    return {
        "items": items,
        "next_cursor": next_cursor,
        "partial": partial.body() if partial else None,
    }


@orders_router.post("", status_code=201, responses=problems(NotFound, ServiceUnavailable))
async def create_an_order(
    principal: ClientWriter, request: Request, body: Annotated[dict[str, Any], Body()]
) -> Response:
    """New orders are ours; `client_id` may name a legacy-only client, moved in first."""
    proxy = _proxy(request)
    answer = await create_order(body, UserToken(principal.token), proxy.ours, proxy.legacy)
    return _passed_on(answer)


@orders_router.get("/search", responses=problems(ServiceUnavailable))
async def search_all_orders(
    principal: ClientReader,
    request: Request,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=100, description="number or any words")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Our orders by number or words, and a legacy order whose number it is, if only it has it."""
    proxy = _proxy(request)
    answer = await search_orders(q, limit, UserToken(principal.token), proxy.ours, proxy.legacy)
    if answer.partial is not None:
        response.headers[PARTIAL_HEADER] = answer.partial.header()
    partial = answer.partial.body() if answer.partial else None
    return {"items": answer.items, "partial": partial}


@orders_router.get("/{reference}", responses=LOOKUP_PROBLEMS)
async def lookup_order(
    reference: Annotated[str, Path(max_length=64, description="our id or LO-<n>")],
    _: ClientReader,
    request: Request,
) -> dict[str, Any]:
    """One order, like the lists show it, plus `client_external_id`: ours (a legacy id we hold
    included), else the legacy system's, read through the cache and never moved in."""
    proxy = _proxy(request)
    return await find_order(reference, proxy.ours, proxy.legacy)
