"""Single-use links that bind a Telegram account to a realm user: the console shows
`https://t.me/<bot>?start=<token>`, the person presses Start, the bot gets `/start <token>`.

The token is random (32 bytes, 43 characters of A-Za-z0-9_-, within Telegram's 64), lives ten
minutes, works once, and only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from servicedesk.channels.models import LinkToken
from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession

TOKEN_BYTES = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # noqa: S105 - a pattern


@dataclass(frozen=True, slots=True)
class NewLink:
    token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_link(session: WriteSession, user: Principal, ttl_s: int) -> NewLink:
    """A fresh token for the user; their earlier unused ones stop working."""
    now = datetime.now(UTC)
    await session.execute(
        update(LinkToken)
        .where(LinkToken.user_id == user.subject, LinkToken.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(seconds=ttl_s)
    session.add(
        LinkToken(
            token_hash=_hash(token),
            user_id=user.subject,
            username=user.username,
            name=user.name or user.username,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return NewLink(token, expires_at)


async def redeem(session: WriteSession, token: str) -> LinkToken | None:
    """The token's row, now used; None when it is unknown, used or expired."""
    row = await session.scalar(
        select(LinkToken).where(LinkToken.token_hash == _hash(token)).with_for_update()
    )
    now = datetime.now(UTC)
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    return row
