"""HTTP endpoints of the migration proxy: the one way the UI and other services reach clients
and orders, and how far the migration has got. HTTP only: the rules are in `usecases`.

What the caller does (search, list, create, edit) is passed on with the caller's own token, so
our clients and orders services check the caller's roles; lookups and moves use the migration
service's account (see `usecases.lookups`, `usecases.moving`).
"""

from __future__ import annotations

import random
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response

from servicedesk.kernel.calls import UserToken
from servicedesk.kernel.cursors import CursorParam
from servicedesk.kernel.deps import ReadSessionDep
from servicedesk.kernel.errors import InvalidInput, NotFound, ServiceUnavailable, problems
from servicedesk.kernel.etags import IfMatch
from servicedesk.migration.auth import ClientReader, ClientWriter, ProgressReader
from servicedesk.migration.schemas import (
    ClientItem,
    ClientMatches,
    ClientPage,
    Forwarded,
    JsonObject,
    MigrationProgress,
    OrderItem,
    OrderMatches,
    OrderPage,
    PartialSource,
    Verification,
)
from servicedesk.migration.state import MigrationStateDep
from servicedesk.migration.usecases import clients, lookups, orders, progress, verification

PARTIAL_HEADER = "X-Partial-Sources"
LOOKUP_PROBLEMS = problems(NotFound, InvalidInput, ServiceUnavailable)
clients_router = APIRouter(prefix="/api/v1/clients", tags=["clients"])
orders_router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
progress_router = APIRouter(prefix="/api/v1/migration", tags=["migration"])
JsonBody = Annotated[JsonObject, Body()]


def _passed_on(answer: Forwarded) -> Response:
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.content_type,
        headers=answer.headers,
    )


def _tell_partial(response: Response, partial: PartialSource | None) -> None:
    if partial is not None:
        response.headers[PARTIAL_HEADER] = partial.header()


@clients_router.get(
    "/search", responses=problems(ServiceUnavailable), response_model_exclude_unset=True
)
async def search(
    principal: ClientReader,
    state: MigrationStateDep,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ClientMatches:
    """Ours, then what only the legacy system has. If the legacy system is slow, failing or its
    breaker open, the answer still comes: `partial` (and the X-Partial-Sources header) says so."""
    user = UserToken(principal.token)
    answer = await clients.search_clients(q, limit, user, state.ours, state.legacy)
    _tell_partial(response, answer.partial)
    return answer


@clients_router.get("", responses=problems(ServiceUnavailable), response_model_exclude_unset=True)
async def list_clients(
    principal: ClientReader,
    state: MigrationStateDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorParam = None,
) -> ClientPage:
    """Every client of both systems, a page at a time: ours by name, then those only the legacy
    system has. Records that migrate while you page are served once (ADR 0013)."""
    user = UserToken(principal.token)
    page = await clients.list_clients(cursor, limit, user, state.ours, state.legacy)
    _tell_partial(response, page.partial)
    return page


@clients_router.post("", status_code=201, responses=problems(ServiceUnavailable))
async def create(principal: ClientWriter, state: MigrationStateDep, body: JsonBody) -> Response:
    """New clients are ours: passed on to the clients service, which validates them."""
    return _passed_on(await clients.create_client(body, UserToken(principal.token), state.ours))


@clients_router.patch("/{reference}", responses=problems(NotFound, ServiceUnavailable))
async def edit(
    reference: str,
    principal: ClientWriter,
    state: MigrationStateDep,
    body: JsonBody,
    if_match: IfMatch = None,
) -> Response:
    """`reference` is our id, or a legacy id (`LC-<n>`): a legacy-only record is moved in first."""
    user = UserToken(principal.token)
    answer = await clients.edit_client(reference, body, if_match, user, state.ours, state.legacy)
    return _passed_on(answer)


@clients_router.get("/{reference}", responses=LOOKUP_PROBLEMS, response_model_exclude_unset=True)
async def lookup_client(
    reference: Annotated[str, Path(max_length=64, description="our id or LC-<n>")],
    _: ClientReader,
    state: MigrationStateDep,
) -> ClientItem:
    """One client, as the search shows it: ours (a legacy id we hold included), else the legacy
    system's, read through the cache and never moved in. 503 when only the legacy system could
    answer and it cannot now."""
    return await lookups.find_client(reference, state.ours, state.legacy)


@orders_router.get(
    "", responses=problems(NotFound, ServiceUnavailable), response_model_exclude_unset=True
)
async def list_orders(
    principal: ClientReader,
    state: MigrationStateDep,
    response: Response,
    client: Annotated[
        str | None, Query(min_length=1, max_length=64, description="our id or LC-<n>")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorParam = None,
) -> OrderPage:
    """With `client`: that client's orders from both systems. Without: every order of both
    systems, a page at a time, each once while orders migrate (ADR 0013)."""
    user = UserToken(principal.token)
    if client is not None:
        page = await orders.orders_of_client(client, limit, user, state.ours, state.legacy)
    else:
        page = await orders.list_orders(cursor, limit, user, state.ours, state.legacy)
    _tell_partial(response, page.partial)
    return page


@orders_router.post("", status_code=201, responses=problems(NotFound, ServiceUnavailable))
async def create_an_order(
    principal: ClientWriter, state: MigrationStateDep, body: JsonBody
) -> Response:
    """New orders are ours; `client_id` may name a legacy-only client, moved in first."""
    user = UserToken(principal.token)
    return _passed_on(await orders.create_order(body, user, state.ours, state.legacy))


@orders_router.get(
    "/search", responses=problems(ServiceUnavailable), response_model_exclude_unset=True
)
async def search_all_orders(
    principal: ClientReader,
    state: MigrationStateDep,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=100, description="number or any words")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OrderMatches:
    """Our orders by number or words, and a legacy order whose number it is, if only it has it."""
    user = UserToken(principal.token)
    answer = await orders.search_orders(q, limit, user, state.ours, state.legacy)
    _tell_partial(response, answer.partial)
    return answer


@orders_router.get("/{reference}", responses=LOOKUP_PROBLEMS, response_model_exclude_unset=True)
async def lookup_order(
    reference: Annotated[str, Path(max_length=64, description="our id or LO-<n>")],
    _: ClientReader,
    state: MigrationStateDep,
) -> OrderItem:
    """One order, like the lists show it, plus `client_external_id`: ours (a legacy id we hold
    included), else the legacy system's, read through the cache and never moved in."""
    return await lookups.find_order(reference, state.ours, state.legacy)


@progress_router.get("/progress")
async def migration_progress(
    _: ProgressReader, state: MigrationStateDep, session: ReadSessionDep
) -> MigrationProgress:
    return await progress.migration_progress(state.ours, state.legacy, session)


@progress_router.get("/verification")
async def parallel_run_check(
    _: ProgressReader,
    state: MigrationStateDep,
    sample: Annotated[int, Query(ge=1, le=500)] = 50,
    seed: int | None = None,
    customer_id: Annotated[list[int] | None, Query(max_length=500)] = None,
    order_id: Annotated[list[int] | None, Query(max_length=500)] = None,
    entity: Annotated[Literal["clients", "orders"], Query()] = "clients",
) -> Verification:
    """Moved records among legacy ones (those named, or a random sample), compared field by
    field with their originals."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrecy
    ids = order_id if entity == "orders" else customer_id
    return await verification.verify(entity, state.legacy, state.ours, sample, rng, ids)
