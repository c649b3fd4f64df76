"""Opaque keyset cursors and the page shape every list endpoint answers with."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel, TypeAdapter

from servicedesk.kernel.errors import InvalidInput

Item = TypeVar("Item")
_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[Any])
MAX_PAGE_SIZE = 200


class RecordStats(BaseModel):
    total: int
    from_legacy: int


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = None


def encode_cursor(kind: str, key: list[Any]) -> str:
    """The position after the last item served; clients pass it back untouched."""
    raw = json.dumps({"k": kind, "v": key}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str, kind: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["v"]
        if data["k"] != kind or not isinstance(key, list) or len(key) != arity:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            "cursor is not one this list gave out",
            extra={"errors": [{"field": "cursor", "location": "query", "reason": "invalid"}]},
        ) from None
    return key


def json_response(
    model: BaseModel | list[Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The model as JSON, serialised once (FastAPI would validate a returned model again)."""
    content = _LIST.dump_json(model) if isinstance(model, list) else model.model_dump_json()
    return Response(
        content,
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )
