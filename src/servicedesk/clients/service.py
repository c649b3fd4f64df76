"""The rules of client records: creation, edits under optimistic concurrency, legacy imports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from servicedesk.clients.events import CLIENT_CREATED, CLIENT_UPDATED, client_changed
from servicedesk.clients.models import Client
from servicedesk.clients.repository import ClientRepository
from servicedesk.clients.schemas import (
    BulkUpsertRequest,
    ClientCreate,
    ClientKind,
    ClientMatchesAfter,
    ClientPatch,
    ClientsByNameAfter,
    OnExisting,
    UpsertOutcome,
    UpsertResult,
)
from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import Conflict, NotFound, PreconditionFailed, invalid_field
from servicedesk.kernel.etags import stale_version
from servicedesk.kernel.i18n import _t


class ClientNotFound(NotFound):
    code = "client-not-found"


class StaleClient(PreconditionFailed):
    code = "stale-client"


async def clients_by_name(
    session: ReadSession, after: ClientsByNameAfter | None, limit: int
) -> Sequence[RowMapping]:
    return await ClientRepository(session).page_by_name(after, limit)


async def search_clients(
    session: ReadSession, query: str, after: ClientMatchesAfter | None, limit: int
) -> Sequence[RowMapping]:
    return await ClientRepository(session).search(query, after, limit)


async def client_by_id(session: ReadSession, client_id: uuid.UUID) -> Client:
    missing = ClientNotFound(_t("client {client_id} does not exist", client_id=client_id))
    return await ClientRepository(session).require(client_id, missing)


async def client_by_external_id(session: ReadSession, external_id: str) -> Client:
    missing = ClientNotFound(
        _t("no client has external_id {external_id!r}", external_id=external_id)
    )
    return await ClientRepository(session).require_by_external_id(external_id, missing)


async def clients_by_external_ids(session: ReadSession, external_ids: list[str]) -> list[Client]:
    """The clients we hold among these legacy ids (those we do not hold are left out)."""
    return list((await ClientRepository(session).by_external_ids(external_ids)).values())


async def client_stats(session: ReadSession) -> tuple[int, int]:
    """How many clients we hold, and how many of them came from the legacy system."""
    return await ClientRepository(session).stats()


async def create_client(session: WriteSession, data: ClientCreate, actor: Principal) -> Client:
    client = Client(
        id=uuid.uuid4(),
        **data.model_dump(mode="json"),
        version=1,
        created_by=actor.username,
        updated_by=actor.username,
    )
    try:
        async with session.begin_nested():
            await ClientRepository(session).add(client)
    except IntegrityError:
        raise Conflict(
            _t(
                "a client with external_id {external_id!r} exists already",
                external_id=data.external_id,
            ),
            extra={"field": "external_id"},
        ) from None
    await client_changed(session, CLIENT_CREATED, client)
    return client


async def update_client(
    session: WriteSession,
    client_id: uuid.UUID,
    patch: ClientPatch,
    expected_version: int,
    actor: Principal,
) -> Client:
    repository = ClientRepository(session)
    current = await repository.get(client_id)
    if current is None:
        raise ClientNotFound(_t("client {client_id} does not exist", client_id=client_id))
    changes = patch.model_dump(mode="json", include=patch.model_fields_set)
    _check_tax_id_fits(changes.get("kind", current.kind), changes.get("tax_id", current.tax_id))
    updated = await repository.update_if_version(
        client_id, expected_version, {**changes, "updated_by": actor.username}
    )
    if updated is None:
        raise stale_version(
            StaleClient,
            _t("client {client_id}", client_id=client_id),
            current.version,
            expected_version,
        )
    await client_changed(session, CLIENT_UPDATED, updated)
    return updated


def _check_tax_id_fits(kind: str, tax_id: str | None) -> None:
    if tax_id is None:
        return
    expected = 10 if kind == ClientKind.COMPANY else 12
    if len(tax_id) != expected:
        raise invalid_field(
            "tax_id",
            _t("the tax_id of a {kind} has {expected} digits", kind=kind, expected=expected),
        )


async def bulk_upsert(
    session: WriteSession, request: BulkUpsertRequest, actor: Principal
) -> list[UpsertResult]:
    """Creates the legacy records we lack; existing ones are kept or overwritten, never doubled."""
    repository = ClientRepository(session)
    rows = [
        {
            "id": uuid.uuid4(),
            **record.model_dump(mode="json"),
            "version": 1,
            "created_by": actor.username,
            "updated_by": actor.username,
        }
        for record in request.records
    ]
    written = await repository.upsert_many(rows, overwrite=request.on_existing is OnExisting.UPDATE)
    everything = await repository.by_external_ids([r.external_id for r in request.records])
    results = []
    for record in request.records:
        client = everything[record.external_id]
        outcome = UpsertOutcome.KEPT
        if record.external_id in written:
            created = written[record.external_id][2]
            outcome = UpsertOutcome.CREATED if created else UpsertOutcome.UPDATED
            await client_changed(session, CLIENT_CREATED if created else CLIENT_UPDATED, client)
        results.append(
            UpsertResult(
                external_id=record.external_id,
                id=client.id,
                outcome=outcome,
                version=client.version,
            )
        )
    return results
