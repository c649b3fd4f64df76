"""The tickets service as the channels use it, with the channels' own service account.

Every write carries an Idempotency-Key made from the inbound item it comes from, so processing
an item again after a crash answers the incident or comment made the first time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from servicedesk.kernel.service_client import CallFailed, ServiceClient, UnexpectedAnswer


@dataclass(frozen=True, slots=True)
class IncidentRef:
    id: uuid.UUID
    key: str
    title: str
    status: str
    reporter_id: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> IncidentRef:
        return cls(
            uuid.UUID(str(body["id"])),
            str(body["key"]),
            str(body["title"]),
            str(body["status"]),
            body.get("reporter_id"),
        )


class Refused(Exception):
    """The tickets service refused the write (a 4xx): it cannot succeed by retrying."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status, self.detail = status, detail


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)


class TicketsGateway:
    def __init__(self, tickets: ServiceClient) -> None:
        self.tickets = tickets

    async def create_incident(self, key: str, body: dict[str, Any]) -> IncidentRef:
        response = await self.tickets.request(
            "POST", "/api/v1/incidents", json=body, headers={"Idempotency-Key": key}
        )
        return IncidentRef.of(self._checked(response, "POST", "/api/v1/incidents"))

    async def comment(self, key: str, incident: str, body: str) -> dict[str, Any]:
        """A public comment on behalf of the incident's reporter (resumes or reopens it per
        the workflow)."""
        path = f"/api/v1/incidents/{quote(incident, safe='')}/comments"
        response = await self.tickets.request(
            "POST",
            path,
            json={"body": body, "visibility": "public", "from_reporter": True},
            headers={"Idempotency-Key": key},
        )
        return self._checked(response, "POST", path)

    async def attach(
        self, incident: str, filename: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        path = f"/api/v1/incidents/{quote(incident, safe='')}/attachments"
        response = await self.tickets.request(
            "POST", path, files={"file": (filename, content, content_type)}
        )
        return self._checked(response, "POST", path)

    async def incident(self, reference: str) -> IncidentRef | None:
        path = f"/api/v1/incidents/{quote(reference, safe='')}"
        response = await self.tickets.request("GET", path)
        if response.status_code in (404, 422):
            return None
        return IncidentRef.of(self._checked(response, "GET", path))

    @staticmethod
    async def find_order(migration: ServiceClient, number: str) -> str | bool | None:
        """The reference of the order with exactly this number (ours, or LO-<n> from the legacy
        system) through the migration proxy; False when there is none; None when unknown."""
        try:
            response = await migration.request(
                "GET", "/api/v1/orders/search", params={"q": number, "limit": 5}
            )
        except CallFailed:
            return None
        if response.status_code != 200:
            return None
        for item in response.json().get("items", []):
            if str(item.get("number", "")).casefold() == number.casefold():
                if item.get("id"):
                    return str(item["id"])
                if item.get("external_id"):
                    return str(item["external_id"])
        return False

    @staticmethod
    def _checked(response: Any, method: str, path: str) -> dict[str, Any]:
        if 200 <= response.status_code < 300:
            body: dict[str, Any] = response.json()
            return body
        if 400 <= response.status_code < 500 and response.status_code not in (401, 408, 429):
            raise Refused(response.status_code, _detail(_json(response)))
        raise UnexpectedAnswer("tickets", method, path, response)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
