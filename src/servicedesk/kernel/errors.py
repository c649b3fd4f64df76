"""One error base class and the handlers that render every failure as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicedesk.kernel.i18n import Message, _t, language_of, translate
from servicedesk.kernel.i18n.validation import reason as validation_reason

PROBLEM_CONTENT_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemError(Exception):
    """A failure a client can act on; services raise subclasses, never HTTPException."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, code, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(ProblemError):
    status, code, title = 413, "payload-too-large", "Request body too large"


class InvalidInput(ProblemError):
    status, code, title = 422, "invalid-input", "Invalid input"


class ServiceUnavailable(ProblemError):
    status, code, title = 503, "unavailable", "Service unavailable"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field a request got wrong: its name, where it was sent and why it was refused."""

    field: str
    reason: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "location": self.location, "reason": self.reason}


def invalid_fields(
    detail: str, errors: Sequence[FieldError], *, extra: dict[str, Any] | None = None
) -> InvalidInput:
    """A 422 naming every field at fault in `errors[]`, as the validation errors do."""
    return InvalidInput(
        detail, extra={**(extra or {}), "errors": [error.as_dict() for error in errors]}
    )


def invalid_field(
    field: str,
    reason: str,
    detail: str | None = None,
    *,
    location: str = "body",
    extra: dict[str, Any] | None = None,
) -> InvalidInput:
    """A 422 naming one field, e.g. `invalid_field("tax_id", "taken")`; a `reason` made with
    `_t` is rendered in the reader's language, in `errors[]` and in the detail."""
    return invalid_fields(
        detail or _t("{field}: {reason}", field=field, reason=reason),
        [FieldError(field, reason, location)],
        extra=extra,
    )


def problem_body(
    status: int, code: str, title: str, detail: str, instance: str, **extra: Any
) -> dict[str, Any]:
    return {
        "type": f"https://servicedesk.local/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def problem_response(
    body: dict[str, Any], headers: dict[str, str] | None = None, lang: str | None = None
) -> JSONResponse:
    """The problem as JSON; with `lang`, its title, detail and every `_t` message in it are
    rendered in that language first (and the answer says so in Content-Language)."""
    if lang is not None:
        body = localize_problem(body, lang)
        headers = {**(headers or {}), "Content-Language": lang}
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_CONTENT_TYPE, headers=headers
    )


def localize_problem(body: dict[str, Any], lang: str) -> dict[str, Any]:
    """Title and detail as the catalogue has them (plain text too, e.g. the class's title);
    elsewhere only values made with `_t`: a plain `errors[].reason` such as "taken" is a code."""
    shown = {name: _messages_in(value, lang) for name, value in body.items()}
    for name in ("title", "detail"):
        if isinstance(body.get(name), str):
            shown[name] = translate(body[name], lang)
    return shown


def _messages_in(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return translate(value, lang)
    if isinstance(value, dict):
        return {key: _messages_in(item, lang) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_messages_in(item, lang) for item in value]
    return value


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[-1] if location else "")


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    body = problem_body(exc.status, exc.code, exc.title, exc.detail, request.url.path, **exc.extra)
    return problem_response(body, exc.headers, language_of(request.headers))


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = language_of(request.headers)
    errors = [
        {
            "field": _field_name(tuple(e["loc"])),
            "location": e["loc"][0],
            "reason": validation_reason(e, lang),
        }
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    body = problem_body(422, "invalid-input", "Invalid input", detail, request.url.path)
    return problem_response({**body, "errors": errors}, lang=lang)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    body = problem_body(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)
    return problem_response(body, dict(exc.headers or {}), language_of(request.headers))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    body = problem_body(
        500, "internal-error", "Internal error", "An unexpected error occurred", request.url.path
    )
    return problem_response(body, lang=language_of(request.headers))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "location": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def problems(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer with, e.g. `problems(NotFound)`."""
    return {
        error.status: {
            "description": error.title,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for error in errors
    }


PROBLEM_RESPONSES = problems(Unauthorized, Forbidden, InvalidInput)
