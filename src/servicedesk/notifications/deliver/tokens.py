"""Unsubscribe links: a signed (HMAC-SHA256) token naming the person and the kind of mail."""

from __future__ import annotations

import base64
import hashlib
import hmac

from servicedesk.notifications.catalogue import Kind


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(secret: str, user_id: str, kind: Kind) -> str:
    payload = f"{user_id}|{kind.value}".encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(signature)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, Kind] | None:
    """(user id, kind) when the token is ours and intact, else None."""
    try:
        payload_part, signature_part = token.split(".", 1)
        payload, signature = _unb64(payload_part), _unb64(signature_part)
        expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(signature, expected):
            return None
        user_id, kind = payload.decode().split("|", 1)
        return user_id, Kind(kind)
    except (ValueError, UnicodeDecodeError):
        return None
