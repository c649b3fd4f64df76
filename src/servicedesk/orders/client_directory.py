"""Does a client exist? The local projection answers; the clients service fills its gaps.

The projection is fed by client.created / client.updated events. A client created a moment ago
may not have arrived yet, so a miss asks the clients service once, within a short deadline; a
slow or failing clients service makes the order wait for a retry (503), never a false 422.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import ServiceUnavailable
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.service_client import CallFailed, ServiceClient
from servicedesk.orders.models import KnownClient


class ClientsUnavailable(ServiceUnavailable):
    code, title = "clients-unavailable", "Clients service unavailable"


class ClientRecord(BaseModel):
    """What orders keeps of a client: from the clients service, or a client.* event."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    display_name: str
    external_id: str | None = None
    version: int = 1


async def remember_client(session: WriteSession, client: ClientRecord | Mapping[str, Any]) -> None:
    """Upserts the projection row, ignoring versions older than the one held."""
    record = client if isinstance(client, ClientRecord) else ClientRecord.model_validate(client)
    statement = insert(KnownClient).values(record.model_dump())
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[KnownClient.id],
            set_={k: statement.excluded[k] for k in ("display_name", "external_id", "version")},
            where=KnownClient.version < statement.excluded.version,
        )
    )


class ClientDirectory:
    def __init__(self, clients: ServiceClient, deadline_s: float) -> None:
        self.clients = clients
        self.deadline_s = deadline_s

    async def find(self, session: WriteSession, client_id: uuid.UUID) -> KnownClient | None:
        known = await session.scalar(select(KnownClient).where(KnownClient.id == client_id))
        if known is not None:
            return known
        fetched = await self._ask_clients_service(client_id)
        if fetched is None:
            return None
        await remember_client(session, fetched)
        return await session.scalar(
            select(KnownClient)
            .where(KnownClient.id == client_id)
            .execution_options(populate_existing=True)
        )

    async def _ask_clients_service(self, client_id: uuid.UUID) -> ClientRecord | None:
        try:
            return await self.clients.get_json_or_none(
                f"/api/v1/clients/{client_id}", ClientRecord, deadline_s=self.deadline_s
            )
        except CallFailed as exc:
            raise self._unavailable(exc.reason) from exc

    @staticmethod
    def _unavailable(reason: str) -> ClientsUnavailable:
        return ClientsUnavailable(
            _t("cannot check the client now ({reason}); try again shortly", reason=reason),
            headers={"Retry-After": "2"},
        )
