"""Client and order references, checked through the migration proxy (our records or legacy ones).

The incident keeps the reference and a snapshot of the name or number, so it reads well even
when the proxy is down later. Checking needs the proxy: when it cannot answer, the write waits
for a retry (503) rather than storing a reference nobody checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from servicedesk.kernel.errors import ServiceUnavailable
from servicedesk.kernel.i18n import _t


class ReferencesUnavailable(ServiceUnavailable):
    code, title = "references-unavailable", "Client and order records unavailable"


@dataclass(frozen=True, slots=True)
class ClientSnapshot:
    ref: str
    display_name: str
    source: str  # ours | legacy
    external_id: str | None

    def is_named_by(self, reference: str) -> bool:
        return reference in (self.ref, self.external_id)


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    ref: str
    number: str
    client_ref: str | None


class References(Protocol):
    async def client(self, reference: str) -> ClientSnapshot | None: ...

    async def order(self, reference: str) -> OrderSnapshot | None: ...


def _canonical(record: dict[str, Any]) -> str:
    """Our id when we hold the record, else its legacy id."""
    return str(record.get("id") or record["external_id"])


class MigrationProxyReferences:
    """The migration proxy over HTTP, called with the tickets service's own account."""

    def __init__(self, http: httpx.AsyncClient, deadline_s: float = 2.0) -> None:
        self.http = http
        self.deadline_s = deadline_s

    async def client(self, reference: str) -> ClientSnapshot | None:
        record = await self._get(f"/api/v1/clients/{quote(reference, safe='')}")
        if record is None:
            return None
        return ClientSnapshot(
            _canonical(record),
            str(record["display_name"]),
            str(record.get("source", "ours")),
            record.get("external_id"),
        )

    async def order(self, reference: str) -> OrderSnapshot | None:
        record = await self._get(f"/api/v1/orders/{quote(reference, safe='')}")
        if record is None:
            return None
        client = record.get("client_id") or record.get("client_external_id")
        return OrderSnapshot(
            _canonical(record), str(record["number"]), str(client) if client else None
        )

    async def _get(self, path: str) -> dict[str, Any] | None:
        try:
            answer = await self.http.get(path, timeout=self.deadline_s)
        except httpx.HTTPError as exc:
            raise self._unavailable(type(exc).__name__) from exc
        if answer.status_code in (404, 422):
            return None
        if answer.status_code != 200:
            raise self._unavailable(f"HTTP {answer.status_code}")
        body: dict[str, Any] = answer.json()
        return body

    @staticmethod
    def _unavailable(reason: str) -> ReferencesUnavailable:
        return ReferencesUnavailable(
            _t("cannot check the client or order now ({reason}); try again shortly", reason=reason),
            headers={"Retry-After": "2"},
        )
