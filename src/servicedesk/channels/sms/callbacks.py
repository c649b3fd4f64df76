"""Reading a provider's callback out of a Starlette (FastAPI) request into a `CallbackRequest`."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from servicedesk.channels.sms.port import CallbackRequest

FORM_TYPE = "application/x-www-form-urlencoded"


async def read_callback(request: Request, *, public_url: str | None = None) -> CallbackRequest:
    """The request as the provider made it.

    Signatures cover the URL the provider called; behind a proxy that is not the URL this
    process sees, so pass `public_url` (the configured callback URL, query included) then.
    """
    body = await request.body()
    form: list[tuple[str, str]] = []
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM_TYPE:
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return CallbackRequest(
        url=public_url or str(request.url),
        method=request.method,
        headers={name.lower(): value for name, value in request.headers.items()},
        form=tuple(form),
        body=body,
    )
