"""Failures as the Bot API reports them: `{"ok": false, "error_code", "description"}`."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


class BotApiError(Exception):
    """A refusal the fake answers with Telegram's own status and description."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return JSONResponse(body, status_code=self.error_code)


def bad_request(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> BotApiError:
    return BotApiError(409, f"Conflict: {reason}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def not_found(reason: str | None = None) -> BotApiError:
    return BotApiError(404, f"Not Found: {reason}" if reason else "Not Found")


def unauthorized() -> BotApiError:
    return BotApiError(401, "Unauthorized")


CHAT_NOT_FOUND = "chat not found"
BOT_BLOCKED = "bot was blocked by the user"
