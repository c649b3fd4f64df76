"""Per-request context shared by logging and outgoing calls."""

from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
actor_var: ContextVar[str | None] = ContextVar("actor", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def current_actor() -> str | None:
    """The username of the caller whose request is being handled (events name it as `actor`)."""
    return actor_var.get()
