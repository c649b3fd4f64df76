"""Client and order references, checked through the migration proxy (our records or legacy ones).

The incident keeps the reference and a snapshot of the name or number, so it reads well even
when the proxy is down later. Checking needs the proxy: when it cannot answer, the write waits
for a retry (503) rather than storing a reference nobody checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, ValidationError

from servicedesk.kernel.errors import ServiceUnavailable
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.service_client import CallFailed, ServiceClient

Record = TypeVar("Record", bound="ProxyRecord")


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


class ProxyRecord(BaseModel):
    """What the proxy answers about a record: ours (an id) or legacy only (its legacy id)."""

    model_config = ConfigDict(extra="ignore")
    id: str | None = None
    external_id: str | None = None

    @property
    def canonical(self) -> str:
        """Our id when we hold the record, else its legacy id."""
        reference = self.id or self.external_id
        if reference is None:
            raise ValueError("a record with neither our id nor a legacy id")
        return reference


class ProxyClient(ProxyRecord):
    display_name: str
    source: str = "ours"


class ProxyOrder(ProxyRecord):
    number: str
    client_id: str | None = None
    client_external_id: str | None = None


class MigrationProxyReferences:
    """The migration proxy over HTTP, called with the tickets service's own account."""

    def __init__(self, proxy: ServiceClient, deadline_s: float = 2.0) -> None:
        self.proxy = proxy
        self.deadline_s = deadline_s

    async def client(self, reference: str) -> ClientSnapshot | None:
        record = await self._get(f"/api/v1/clients/{quote(reference, safe='')}", ProxyClient)
        if record is None:
            return None
        return ClientSnapshot(
            record.canonical, record.display_name, record.source, record.external_id
        )

    async def order(self, reference: str) -> OrderSnapshot | None:
        record = await self._get(f"/api/v1/orders/{quote(reference, safe='')}", ProxyOrder)
        if record is None:
            return None
        client = record.client_id or record.client_external_id
        return OrderSnapshot(record.canonical, record.number, client)

    async def _get(self, path: str, model: type[Record]) -> Record | None:
        """The record, None when the proxy knows no such one (404, or a malformed id: 422);
        503 when it cannot answer within the deadline (its calls are retried within it)."""
        try:
            answer = await self.proxy.request("GET", path, deadline_s=self.deadline_s)
        except CallFailed as failed:
            raise self._unavailable(failed.reason) from failed
        if answer.status_code in (404, 422):
            return None
        if answer.status_code != 200:
            raise self._unavailable(f"HTTP {answer.status_code}")
        try:
            return model.model_validate_json(answer.content)
        except (ValidationError, ValueError) as exc:
            raise self._unavailable(type(exc).__name__) from exc

    @staticmethod
    def _unavailable(reason: str) -> ReferencesUnavailable:
        return ReferencesUnavailable(
            _t("cannot check the client or order now ({reason}); try again shortly", reason=reason),
            headers={"Retry-After": "2"},
        )
