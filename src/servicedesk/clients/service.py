"""The rules of client records: creation, edits under optimistic concurrency, legacy imports."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from servicedesk.clients.events import CLIENT_CREATED, CLIENT_UPDATED, client_changed
from servicedesk.clients.models import Client
from servicedesk.clients.repository import ClientRepository
from servicedesk.clients.schemas import (
    BulkUpsertRequest,
    ClientCreate,
    ClientKind,
    ClientPatch,
    OnExisting,
    UpsertOutcome,
    UpsertResult,
)
from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, InvalidInput, NotFound, PreconditionFailed


class ClientNotFound(NotFound):
    code = "client-not-found"


class StaleClient(PreconditionFailed):
    code = "stale-client"


def _invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput(
        f"{field}: {reason}",
        extra={"errors": [{"field": field, "location": "body", "reason": reason}]},
    )


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
            f"a client with external_id {data.external_id!r} exists already",
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
        raise ClientNotFound(f"client {client_id} does not exist")
    changes = patch.model_dump(mode="json", include=patch.model_fields_set)
    _check_tax_id_fits(changes.get("kind", current.kind), changes.get("tax_id", current.tax_id))
    updated = await repository.update_if_version(
        client_id, expected_version, {**changes, "updated_by": actor.username}
    )
    if updated is None:
        raise StaleClient(
            f"client {client_id} is at version {current.version}, not {expected_version}",
            extra={"current_version": current.version},
            headers={"ETag": f'"{current.version}"'},
        )
    await client_changed(session, CLIENT_UPDATED, updated)
    return updated


def _check_tax_id_fits(kind: str, tax_id: str | None) -> None:
    if tax_id is None:
        return
    expected = 10 if kind == ClientKind.COMPANY else 12
    if len(tax_id) != expected:
        raise _invalid("tax_id", f"the tax_id of a {kind} has {expected} digits")


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
