"""Does a client exist? The local projection answers; the clients service fills its gaps.

The projection is fed by client.created / client.updated events. A client created a moment ago
may not have arrived yet, so a miss asks the clients service once, within a short deadline; a
slow or failing clients service makes the order wait for a retry (503), never a false 422.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import ServiceUnavailable
from servicedesk.orders.models import KnownClient


class ClientsUnavailable(ServiceUnavailable):
    code, title = "clients-unavailable", "Clients service unavailable"


async def remember_client(session: WriteSession, client: dict[str, Any]) -> None:
    """Upserts the projection row, ignoring versions older than the one held."""
    values = {
        "id": uuid.UUID(str(client["id"])),
        "display_name": client["display_name"],
        "external_id": client.get("external_id"),
        "version": int(client.get("version", 1)),
    }
    statement = insert(KnownClient).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[KnownClient.id],
            set_={k: statement.excluded[k] for k in ("display_name", "external_id", "version")},
            where=KnownClient.version < statement.excluded.version,
        )
    )


class ClientDirectory:
    def __init__(self, clients: httpx.AsyncClient, deadline_s: float) -> None:
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

    async def _ask_clients_service(self, client_id: uuid.UUID) -> dict[str, Any] | None:
        try:
            response = await self.clients.get(
                f"/api/v1/clients/{client_id}", timeout=self.deadline_s
            )
        except httpx.HTTPError as exc:
            raise self._unavailable(f"{type(exc).__name__}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._unavailable(f"HTTP {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    @staticmethod
    def _unavailable(reason: str) -> ClientsUnavailable:
        return ClientsUnavailable(
            f"cannot check the client now ({reason}); try again shortly",
            headers={"Retry-After": "2"},
        )
