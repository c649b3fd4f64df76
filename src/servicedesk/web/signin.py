"""From Keycloak's tokens to a session, and keeping its access token fresh."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.errors import ProblemError
from servicedesk.web.oidc import OidcError, TokenSet
from servicedesk.web.runtime import Connections
from servicedesk.web.sessions import WebSession, WebUser

log = logging.getLogger(__name__)
DEFAULT_NEXT = "/"


class SignInRequired(Exception):
    """No session (or it ended): the browser is sent to sign in, then back to `next_url`."""

    def __init__(self, next_url: str = DEFAULT_NEXT) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def safe_next(value: str | None) -> str:
    """A same-site relative path to return to after sign-in; anything else becomes `/`."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return DEFAULT_NEXT
    if value.startswith("//") or "\\" in value or any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/auth/"):
        return DEFAULT_NEXT
    return value


def user_from(id_claims: dict[str, Any], principal: Principal) -> WebUser:
    groups = id_claims.get("groups", principal.groups)
    telegram = id_claims.get("telegram_id")
    return WebUser(
        subject=str(id_claims["sub"]),
        username=str(id_claims.get("preferred_username", principal.username)),
        name=id_claims.get("name"),
        email=id_claims.get("email"),
        phone=id_claims.get("phone"),
        telegram_id=str(telegram) if telegram is not None else None,
        locale=id_claims.get("locale"),
        roles=tuple(sorted(principal.roles)),
        groups=tuple(str(g).lstrip("/") for g in groups),
    )


async def session_fields(
    tokens: TokenSet, id_claims: dict[str, Any], connections: Connections, idle_s: int
) -> dict[str, Any]:
    """What a session holds, from a token response whose ID token was validated."""
    try:
        principal = await connections.access_tokens.validate(tokens.access_token)
    except ProblemError as exc:
        raise OidcError(f"access token refused: {exc.detail}") from None
    if principal.subject != id_claims["sub"]:
        raise OidcError("the access token and the ID token name different users")
    now = time.time()
    return {
        "user": user_from(id_claims, principal),
        "access_token": tokens.access_token,
        "access_expires_at": now + tokens.expires_in,
        "refresh_token": tokens.refresh_token,
        "refresh_expires_at": now + (tokens.refresh_expires_in or idle_s),
        "id_token": tokens.id_token,
        "sid": id_claims.get("sid"),
    }


async def fresh_session(session: WebSession, connections: Connections, margin_s: int) -> WebSession:
    """The session with an access token good for at least `margin_s`, refreshed if need be.

    One request refreshes (a short Redis lock); others meanwhile use the token they have while it
    is valid, or wait for the refreshed session. A refused refresh ends the session.
    """
    now = time.time()
    if session.access_expires_at - now > margin_s:
        return session
    store = connections.sessions
    if session.refresh_token is None:
        if session.access_expires_at > now:
            return session
        await store.delete(session)
        raise SignInRequired
    if not await store.lock_refresh(session):
        return await _refreshed_elsewhere(session, connections)
    try:
        tokens = await connections.oidc.refresh(session.refresh_token)
        id_claims = await _refreshed_identity(session, tokens, connections)
        fields = await session_fields(tokens, id_claims, connections, session.ttl_s())
    except OidcError as exc:
        log.info("token refresh refused; the session ends", extra={"reason": str(exc)})
        await store.delete(session)
        raise SignInRequired from None
    finally:
        await store.unlock_refresh(session)
    if fields["refresh_token"] is None:  # Keycloak may keep the refresh token it gave
        fields["refresh_token"] = session.refresh_token
    updated = session.model_copy(update=fields)
    if not await store.save(updated, existing=True):  # signed out meanwhile (back-channel)
        raise SignInRequired
    return updated


async def _refreshed_identity(
    session: WebSession, tokens: TokenSet, connections: Connections
) -> dict[str, Any]:
    if tokens.id_token is None:
        return {"sub": session.user.subject, "sid": session.sid, **_profile_claims(session.user)}
    claims = await connections.oidc.id_token_claims(tokens.id_token, nonce=None)
    if claims["sub"] != session.user.subject:
        raise OidcError("the refreshed ID token names another user")
    if claims.get("nonce") not in (None, session.nonce):
        raise OidcError("the refreshed ID token carries another nonce")
    return claims


def _profile_claims(user: WebUser) -> dict[str, Any]:
    claims = {
        "preferred_username": user.username,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "telegram_id": user.telegram_id,
        "locale": user.locale,
        "groups": list(user.groups),
    }
    return {k: v for k, v in claims.items() if v is not None}


async def _refreshed_elsewhere(session: WebSession, connections: Connections) -> WebSession:
    if session.access_expires_at - time.time() > 5:
        return session
    for _ in range(30):
        await asyncio.sleep(0.1)
        current = await connections.sessions.reload(session)
        if current is None:
            raise SignInRequired
        if current.access_expires_at - time.time() > 5:
            return current
    raise SignInRequired
