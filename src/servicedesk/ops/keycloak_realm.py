"""Keep the Keycloak realm in line with `deploy/keycloak/realm-servicedesk.json`.

Keycloak's own start-up import skips a realm that already exists, so a changed realm file would
never reach a running server. `sync_realm` records the sha256 of the file in the realm attribute
`servicedeskRealmHash` and re-creates the realm (delete + import through the Admin API) when the
file changed. Re-creating drops everything made at run time in that realm (users, sessions):
fine for local runs and tests, which is what this is for.

Run: `python -m servicedesk.ops.keycloak_realm` (env: SD_KEYCLOAK_URL, SD_KEYCLOAK_ADMIN,
SD_KEYCLOAK_ADMIN_PASSWORD, SD_KEYCLOAK_REALM_FILE).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx

HASH_ATTRIBUTE = "servicedeskRealmHash"
DEFAULT_URL = "http://localhost:8080"
DEFAULT_ADMIN = "admin"
DEFAULT_ADMIN_PASSWORD = "local-admin"  # noqa: S105 - the documented local bootstrap admin
DEFAULT_REALM_FILE = (
    pathlib.Path(__file__).resolve().parents[3] / "deploy" / "keycloak" / "realm-servicedesk.json"
)

SETTLE_SECONDS = 30

SyncResult = Literal["created", "unchanged", "recreated"]


class RealmSyncError(RuntimeError):
    """Keycloak refused a step of the realm sync."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def _check(response: httpx.Response, action: str) -> None:
    if response.is_error:
        message = f"{action}: HTTP {response.status_code} {response.text[:500]}".rstrip()
        raise RealmSyncError(message, response.status_code)


async def _admin_token(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post(
        "/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": username,
            "password": password,
        },
    )
    _check(response, "admin token from the master realm")
    token: str = response.json()["access_token"]
    return token


async def _deployed_hash(client: httpx.AsyncClient, realm: str) -> str | None:
    """The hash recorded in the realm, "" when the realm has none, None when it is missing."""
    response = await client.get(f"/admin/realms/{realm}")
    if response.status_code == httpx.codes.NOT_FOUND:
        return None
    _check(response, f"read realm {realm}")
    attributes: dict[str, Any] = response.json().get("attributes") or {}
    return str(attributes.get(HASH_ATTRIBUTE, ""))


async def _create(client: httpx.AsyncClient, representation: dict[str, Any]) -> None:
    response = await client.post("/admin/realms", json=representation)
    _check(response, f"create realm {representation['realm']}")


async def _delete(client: httpx.AsyncClient, realm: str) -> None:
    response = await client.delete(f"/admin/realms/{realm}")
    if response.status_code != httpx.codes.NOT_FOUND:
        _check(response, f"delete realm {realm}")


def _load(realm_file: pathlib.Path) -> tuple[dict[str, Any], str]:
    """The realm representation with the file's hash added as an attribute, and that hash."""
    raw = realm_file.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    representation: dict[str, Any] = json.loads(raw)
    attributes: dict[str, Any] = dict(representation.get("attributes") or {})
    attributes[HASH_ATTRIBUTE] = digest
    representation["attributes"] = attributes
    return representation, digest


async def sync_realm(
    base_url: str, admin_username: str, admin_password: str, realm_file: pathlib.Path
) -> str:
    """Create or re-create the realm from `realm_file` unless it is already up to date.

    Returns "created", "unchanged" or "recreated".
    """
    representation, digest = _load(realm_file)
    realm: str = representation["realm"]
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        token = await _admin_token(client, admin_username, admin_password)
        client.headers["Authorization"] = f"Bearer {token}"
        result = await _sync(client, realm, representation, digest)
    return result


async def _sync(
    client: httpx.AsyncClient, realm: str, representation: dict[str, Any], digest: str
) -> SyncResult:
    deployed = await _deployed_hash(client, realm)
    if deployed == digest:
        return "unchanged"
    if deployed is not None:
        try:
            await _delete(client, realm)
        except RealmSyncError as error:
            return await _after_race(client, realm, digest, error)
    try:
        await _create(client, representation)
    except RealmSyncError as error:
        if error.status_code != httpx.codes.CONFLICT:
            raise
        return await _after_race(client, realm, digest, error)
    return "created" if deployed is None else "recreated"


async def _after_race(
    client: httpx.AsyncClient, realm: str, digest: str, error: RealmSyncError
) -> SyncResult:
    """Another sync replaced the realm at the same moment (two bootstraps at once), so Keycloak
    failed our delete or create: fine once the realm carries this file's hash."""
    for _ in range(SETTLE_SECONDS):
        if await _deployed_hash(client, realm) == digest:
            return "unchanged"
        await asyncio.sleep(1)
    raise error


@asynccontextmanager
async def admin_session(
    base_url: str = DEFAULT_URL,
    admin_username: str = DEFAULT_ADMIN,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on Keycloak carrying a token of the master realm's admin."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
        token = await _admin_token(client, admin_username, admin_password)
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


async def realm_inventory(client: httpx.AsyncClient, realm: str) -> dict[str, list[str]]:
    """The usernames and the client ids of a realm, sorted (up to 1,000 of each)."""
    users = await client.get(
        f"/admin/realms/{realm}/users", params={"max": 1000, "briefRepresentation": "true"}
    )
    _check(users, f"list the users of {realm}")
    clients = await client.get(f"/admin/realms/{realm}/clients", params={"max": 1000})
    _check(clients, f"list the clients of {realm}")
    return {
        "users": sorted(str(u["username"]) for u in users.json()),
        "clients": sorted(str(c["clientId"]) for c in clients.json()),
    }


async def delete_clients(client: httpx.AsyncClient, realm: str, prefix: str) -> list[str]:
    """Deletes the clients of a realm whose client id starts with `prefix`; their ids."""
    listed = await client.get(f"/admin/realms/{realm}/clients", params={"max": 1000})
    _check(listed, f"list the clients of {realm}")
    deleted = []
    for found in listed.json():
        if str(found["clientId"]).startswith(prefix):
            response = await client.delete(f"/admin/realms/{realm}/clients/{found['id']}")
            if response.status_code != httpx.codes.NOT_FOUND:
                _check(response, f"delete client {found['clientId']}")
            deleted.append(str(found["clientId"]))
    return deleted


def main() -> None:
    realm_file = pathlib.Path(os.environ.get("SD_KEYCLOAK_REALM_FILE", str(DEFAULT_REALM_FILE)))
    result = asyncio.run(
        sync_realm(
            os.environ.get("SD_KEYCLOAK_URL", DEFAULT_URL),
            os.environ.get("SD_KEYCLOAK_ADMIN", DEFAULT_ADMIN),
            os.environ.get("SD_KEYCLOAK_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD),
            realm_file,
        )
    )
    print(f"keycloak realm {realm_file.name}: {result}")


if __name__ == "__main__":
    main()
