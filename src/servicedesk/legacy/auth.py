"""The legacy system's own keys, not Keycloak: `X-Api-Key` for its API, `X-Admin-Key` for the
simulator's fault knobs. A missing or wrong key is a 401 in the legacy error shape."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Header, Request
from pydantic import SecretStr

from servicedesk.legacy.errors import LegacyError
from servicedesk.legacy.settings import LegacySettings
from servicedesk.legacy.state import legacy_state


def _settings(request: Request) -> LegacySettings:
    return legacy_state(request).settings


def _matches(sent: str | None, expected: SecretStr) -> bool:
    return sent is not None and hmac.compare_digest(
        sent.encode(), expected.get_secret_value().encode()
    )


async def require_api_key(
    request: Request, x_api_key: Annotated[str | None, Header()] = None
) -> None:
    if not _matches(x_api_key, _settings(request).api_key):
        raise LegacyError(401, "Access denied: invalid or missing API key")


async def require_admin_key(
    request: Request, x_admin_key: Annotated[str | None, Header()] = None
) -> None:
    if not _matches(x_admin_key, _settings(request).admin_key):
        raise LegacyError(401, "Access denied: invalid or missing admin key")
