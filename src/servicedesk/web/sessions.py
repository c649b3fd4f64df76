"""Sign-in sessions kept in Redis; the browser holds only a random id in the cookie `sd_session`.

Redis keys (the cookie value itself is never stored, only its SHA-256):
- `web:session:<hash>`: the session as JSON, expiring with Keycloak's refresh token;
- `web:sid:<sid>` and `web:sub:<subject>`: sets of session hashes, for back-channel logout;
- `web:login:<state>`: a started sign-in (PKCE verifier, nonce, where to go back), used once;
- `web:refresh:<hash>`: held for a few seconds by the request refreshing the tokens.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis

SESSION_COOKIE = "sd_session"
LOGIN_COOKIE = "sd_login"  # binds a started sign-in to the browser that started it
_PREFIX = "web"
KEYCLOAK_BUILT_IN_ROLES = frozenset({"offline_access", "uma_authorization"})


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class WebUser(BaseModel):
    """Who is signed in, from the ID token (profile) and the access token (realm roles)."""

    model_config = ConfigDict(frozen=True)

    subject: str
    username: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    telegram_id: str | None = None
    locale: str | None = None
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def servicedesk_roles(self) -> tuple[str, ...]:
        """The realm roles that mean something here (not Keycloak's built-in ones)."""
        return tuple(
            r
            for r in self.roles
            if r not in KEYCLOAK_BUILT_IN_ROLES and not r.startswith("default-roles-")
        )

    def has_any_role(self, *roles: str) -> bool:
        return not set(self.roles).isdisjoint(roles)


class WebSession(BaseModel):
    key: str  # SHA-256 of the cookie value
    user: WebUser
    access_token: str
    access_expires_at: float
    refresh_token: str | None
    refresh_expires_at: float
    id_token: str | None
    sid: str | None
    nonce: str
    csrf_token: str
    created_at: float

    def ttl_s(self) -> int:
        return max(int(self.refresh_expires_at - time.time()), 1)


class LoginAttempt(BaseModel):
    verifier: str
    nonce: str
    next: str
    binding: str  # SHA-256 of the sd_login cookie of the browser that started it


class SessionStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def _session(key: str) -> str:
        return f"{_PREFIX}:session:{key}"

    async def create(self, **fields: Any) -> tuple[str, WebSession]:
        """Stores a new session; returns the cookie value and the session."""
        cookie = secrets.token_urlsafe(32)
        session = WebSession(
            key=digest(cookie),
            csrf_token=secrets.token_urlsafe(32),
            created_at=time.time(),
            **fields,
        )
        await self.save(session)
        return cookie, session

    async def load(self, cookie: str | None) -> WebSession | None:
        if not cookie or len(cookie) > 128:
            return None
        raw = await self.redis.get(self._session(digest(cookie)))
        return WebSession.model_validate_json(raw) if raw else None

    async def reload(self, session: WebSession) -> WebSession | None:
        raw = await self.redis.get(self._session(session.key))
        return WebSession.model_validate_json(raw) if raw else None

    async def save(self, session: WebSession, *, existing: bool = False) -> bool:
        """Stores the session; with `existing`, only if it was not deleted meanwhile."""
        ttl = session.ttl_s()
        stored = await self.redis.set(
            self._session(session.key), session.model_dump_json(), ex=ttl, xx=existing
        )
        if not stored:
            return False
        async with self.redis.pipeline(transaction=True) as pipe:
            for index in self._indexes(session):
                pipe.sadd(index, session.key)
                pipe.expire(index, ttl, gt=True)
                pipe.expire(index, ttl, nx=True)
            await pipe.execute()
        return True

    async def delete(self, session: WebSession) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._session(session.key))
            for index in self._indexes(session):
                pipe.srem(index, session.key)
            await pipe.execute()

    async def delete_by_sid(self, sid: str) -> int:
        return await self._delete_indexed(f"{_PREFIX}:sid:{sid}")

    async def delete_by_subject(self, subject: str) -> int:
        return await self._delete_indexed(f"{_PREFIX}:sub:{subject}")

    async def _delete_indexed(self, index: str) -> int:
        members = await self.redis.smembers(index)
        keys = [k.decode() if isinstance(k, bytes) else k for k in members]
        deleted = 0
        for key in keys:
            raw = await self.redis.get(self._session(key))
            if raw:
                await self.delete(WebSession.model_validate_json(raw))
                deleted += 1
            else:  # expired meanwhile
                await self.redis.srem(index, key)
        return deleted

    @staticmethod
    def _indexes(session: WebSession) -> list[str]:
        indexes = [f"{_PREFIX}:sub:{session.user.subject}"]
        if session.sid:
            indexes.append(f"{_PREFIX}:sid:{session.sid}")
        return indexes

    async def lock_refresh(self, session: WebSession, hold_s: int = 10) -> bool:
        """True for the one request that may refresh this session's tokens now."""
        return bool(
            await self.redis.set(f"{_PREFIX}:refresh:{session.key}", "1", nx=True, ex=hold_s)
        )

    async def unlock_refresh(self, session: WebSession) -> None:
        await self.redis.delete(f"{_PREFIX}:refresh:{session.key}")

    async def flash(self, session: WebSession, name: str, value: str, ttl_s: int = 300) -> None:
        """A one-time message for the session's next page (post/redirect/get)."""
        await self.redis.set(f"{_PREFIX}:flash:{session.key}:{name}", value, ex=ttl_s)

    async def take_flash(self, session: WebSession, name: str) -> str | None:
        """The message, once: a reload of the page finds nothing."""
        raw = await self.redis.getdel(f"{_PREFIX}:flash:{session.key}:{name}")
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def start_login(self, state: str, attempt: LoginAttempt, ttl_s: int) -> None:
        await self.redis.set(f"{_PREFIX}:login:{state}", attempt.model_dump_json(), ex=ttl_s)

    async def take_login(self, state: str) -> LoginAttempt | None:
        """The sign-in started with this state, once: a second callback finds nothing."""
        if not state or len(state) > 128:
            return None
        raw = await self.redis.getdel(f"{_PREFIX}:login:{state}")
        return LoginAttempt.model_validate_json(raw) if raw else None

    async def first_use_of_logout_token(self, jti: str, ttl_s: int = 600) -> bool:
        return bool(await self.redis.set(f"{_PREFIX}:logout-jti:{jti}", "1", nx=True, ex=ttl_s))
