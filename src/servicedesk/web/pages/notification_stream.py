"""`GET /notifications/stream`: the signed-in user's live events, for static/notifications.js.

The notifications service's stream (`/api/v1/stream`), relayed with the user's access token
(see servicedesk.web.event_stream): `notification` (a new one, with the unread count), `unread`
(the count changed elsewhere), `changed` (an incident or problem changed: open pages refresh).

EventSource gives up for good on an error status, so a stream that cannot be had now (the
service away or refusing) is an empty stream saying when to come back. Without a session the
answer is 401 (the page's own requests take the user to sign in).
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servicedesk.web.event_stream import (
    LAST_EVENT_ID,
    RelayedEvents,
    StreamUnavailable,
    last_event_id,
    retry_only,
)
from servicedesk.web.i18n import choose_language
from servicedesk.web.page import signed_in_session
from servicedesk.web.runtime import connections
from servicedesk.web.signin import SignInRequired

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], include_in_schema=False)
UPSTREAM = "/api/v1/stream"
RETRY_MS = 3_000  # reconnecting after the stream ended as planned
AWAY_RETRY_MS = 15_000  # the service is away: not sooner than this
TOKEN_MARGIN_S = 30  # the relay ends this long before the access token does
SHORTEST_S = 10


@router.get("/notifications/stream")
async def stream(request: Request) -> Response:
    try:
        session = await signed_in_session(request)
    except SignInRequired:
        return Response(status_code=401, headers={"cache-control": "no-store"})
    choose_language(request, session.user.locale)
    streams = connections(request).backends.notification_streams
    last_id = last_event_id(request.headers.get(LAST_EVENT_ID))
    try:
        upstream = await streams.open(UPSTREAM, session.access_token, last_id)
    except StreamUnavailable as away:
        log.info("no notifications stream", extra={"reason": away.reason})
        return retry_only(AWAY_RETRY_MS, "unavailable")
    # Ends before the token does: the browser comes back, and the console refreshes the token.
    left_s = max(session.access_expires_at - time.time() - TOKEN_MARGIN_S, SHORTEST_S)
    return RelayedEvents(upstream, until=time.monotonic() + left_s, retry_ms=RETRY_MS)
