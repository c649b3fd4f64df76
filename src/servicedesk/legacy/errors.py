"""The legacy system's own error shape, `{"ErrorCode": 404, "ErrorText": "..."}`.

It is someone else's system, so under `/legacy/` nothing answers problem+json: the kernel's
handlers still serve every other path (health, metrics, `/api/v1/me`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

LEGACY_PATHS = "/legacy/"
Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


class LegacyErrorBody(BaseModel):
    ErrorCode: int
    ErrorText: str


class LegacyError(Exception):
    """A failure answered in the legacy system's shape."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def legacy_response(status: int, text: str) -> JSONResponse:
    return JSONResponse({"ErrorCode": status, "ErrorText": text}, status_code=status)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the legacy error shape."""
    return {s: {"model": LegacyErrorBody, "description": "legacy error"} for s in statuses}


async def _on_legacy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LegacyError)
    return legacy_response(exc.status, exc.text)


def _validation_text(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"][1:]) or str(error["loc"][0])
        parts.append(f"{name}: {error['msg']}")
    return "Invalid parameter " + "; ".join(parts)


def _legacy_text(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, RequestValidationError):
        return 400, _validation_text(exc)
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail)
    return 500, "Internal server error"


def _on_legacy_paths(kernel: Handler) -> Handler:
    """Answers in the legacy shape under /legacy/, and as the kernel does elsewhere."""

    async def handler(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(LEGACY_PATHS):
            return legacy_response(*_legacy_text(exc))
        answer = kernel(request, exc)
        return answer if isinstance(answer, Response) else await answer

    return handler


def install_legacy_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LegacyError, _on_legacy_error)
    for kind in (RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, _on_legacy_paths(app.exception_handlers[kind]))
