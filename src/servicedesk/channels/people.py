"""Realm users as the channels see them: found by the phone in their Keycloak profile."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from servicedesk.kernel.service_client import CallFailed, ServiceClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RealmUser:
    id: str
    username: str
    name: str
    locale: str | None


def _user(raw: dict[str, Any]) -> RealmUser:
    attributes = raw.get("attributes") or {}
    name = " ".join(p for p in (raw.get("firstName"), raw.get("lastName")) if p)
    locale = (attributes.get("locale") or [None])[0]
    return RealmUser(str(raw["id"]), str(raw["username"]), name or str(raw["username"]), locale)


class RealmDirectory:
    """Reads users through Keycloak's Admin REST API with this service's account
    (realm-management view-users and query-users)."""

    def __init__(self, keycloak: ServiceClient, realm: str) -> None:
        self.keycloak = keycloak
        self.base = f"/admin/realms/{quote(realm, safe='')}"

    async def user_by_phone(self, phone: str) -> RealmUser | None:
        """The enabled user whose profile attribute `phone` is this E.164 number; None when
        there is none, or several (a phone must name one person), or Keycloak cannot answer."""
        try:
            response = await self.keycloak.request(
                "GET",
                f"{self.base}/users",
                params={"q": f"phone:{phone}", "exact": "true", "briefRepresentation": "false"},
            )
        except CallFailed:
            log.warning("keycloak unavailable: a phone is not matched to a user")
            return None
        if response.status_code != 200:
            log.warning("keycloak refused a user search", extra={"status": response.status_code})
            return None
        found = [u for u in response.json() if u.get("enabled", True)]
        return _user(found[0]) if len(found) == 1 else None
