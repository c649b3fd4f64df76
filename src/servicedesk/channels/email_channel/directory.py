"""The realm user behind an email address, asked of Keycloak's Admin REST API on every mail
(a changed address follows the directory, not what was stored before)."""

from __future__ import annotations

import logging

from servicedesk.channels.people import RealmDirectory, RealmUser
from servicedesk.channels.people import _user as realm_user  # its reading of a user
from servicedesk.kernel.service_client import CallFailed

log = logging.getLogger(__name__)


async def user_by_email(directory: RealmDirectory, address: str) -> RealmUser | None:
    """The one enabled user with this email; None when none, several, or Keycloak is away."""
    try:
        response = await directory.keycloak.request(
            "GET",
            f"{directory.base}/users",
            params={"email": address, "exact": "true", "briefRepresentation": "false"},
        )
    except CallFailed:
        log.warning("keycloak unavailable: a mail's sender is not matched to a user")
        return None
    if response.status_code != 200:
        log.warning("keycloak refused a user search", extra={"status": response.status_code})
        return None
    found = [
        u
        for u in response.json()
        if u.get("enabled", True) and str(u.get("email", "")).lower() == address
    ]
    return realm_user(found[0]) if len(found) == 1 else None
