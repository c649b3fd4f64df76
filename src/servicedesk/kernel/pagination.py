"""The page shape every list endpoint answers with (its cursors: `kernel.cursors`)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel, TypeAdapter

Item = TypeVar("Item")
_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[Any])
MAX_PAGE_SIZE = 200


class RecordStats(BaseModel):
    total: int
    from_legacy: int


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = None


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
