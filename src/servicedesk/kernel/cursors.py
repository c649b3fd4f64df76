"""Typed opaque cursors for keyset pages: signed, bound to their list, validated on the way in.

A cursor is `base64url(json) "." base64url(hmac)`. The signature covers the list's kind and
scope (e.g. the search words), so a cursor from another list, another search, or one edited by
hand is refused with a 422 naming `cursor`, as is any garbage. Its key is a pydantic model, so
even a validly signed cursor cannot carry a value of the wrong type into a query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ValidationError

from servicedesk.kernel.errors import InvalidInput, invalid_field

Key = TypeVar("Key", bound=BaseModel)
MAX_CURSOR_LENGTH = 1024
CursorParam = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)]
_SIGNATURE_BYTES = 16
_secret = [b"local-cursor-secret"]


def use_cursor_secret(secret: str) -> None:
    """The key cursors are signed with (the setting `cursor_secret`; every replica the same)."""
    _secret[0] = secret.encode()


def bad_cursor() -> InvalidInput:
    return invalid_field(
        "cursor", "invalid", "cursor is not one this list gave out", location="query"
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


class CursorCodec(Generic[Key]):
    """The cursors of one list: `CursorCodec("incidents-newest", IncidentsAfter)`."""

    def __init__(self, kind: str, key: type[Key]) -> None:
        self.kind = kind
        self.key = key

    def _sign(self, body: bytes, scope: str) -> bytes:
        message = b"\0".join((self.kind.encode(), scope.encode(), body))
        return hmac.new(_secret[0], message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]

    def encode(self, key: Key, scope: str = "") -> str:
        """The position after the last item served; clients pass it back untouched."""
        body = json.dumps(
            key.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False
        ).encode()
        return f"{_b64(body)}.{_b64(self._sign(body, scope))}"

    def decode(self, cursor: str | None, scope: str = "") -> Key | None:
        """None for the first page; the key for a cursor this list gave out; else a 422."""
        if cursor is None:
            return None
        body = self._verified_body(cursor, scope)
        try:
            data: Any = json.loads(body)
            return self.key.model_validate(data)
        except (ValueError, ValidationError):
            raise bad_cursor() from None

    def _verified_body(self, cursor: str, scope: str) -> bytes:
        if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
            raise bad_cursor()
        encoded_body, encoded_signature = cursor.split(".")
        try:
            body, signature = _unb64(encoded_body), _unb64(encoded_signature)
        except (binascii.Error, ValueError):
            raise bad_cursor() from None
        if not hmac.compare_digest(signature, self._sign(body, scope)):
            raise bad_cursor()
        return body
