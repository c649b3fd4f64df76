"""The user's in-app notifications at the notifications service, typed for the pages.

The bell's count comes with every page; when the service is slow or away it is simply not
known (`None`), and the page shows the bell without a number. Everything else raises
`BackendError` as any other backend call does.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicedesk.web.backend import BackendError, ServiceApi
from servicedesk.web.signin import safe_next

log = logging.getLogger(__name__)
API = "/api/v1/notifications"
PAGE_SIZE = 20
PANEL_SIZE = 8
M = TypeVar("M", bound=BaseModel)


class Notification(BaseModel):
    """One notification as the service lists it (already in the user's language)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    kind: str = ""
    title: str = ""
    body: str = ""
    link: str = "/"
    aggregate_type: str = ""
    aggregate_id: str = ""
    key: str = ""
    actor: str | None = None
    priority: str | None = None
    created_at: datetime
    read_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def target(self) -> str:
        """Where the notification leads: a path of the console, never another site."""
        return safe_next(self.link)


class Inbox(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[Notification] = Field(default_factory=list)
    unread: int = 0

    def older_than(self, page_size: int) -> int | None:
        """The id to ask `before` for the next (older) page; None on the last page."""
        return self.items[-1].id if len(self.items) >= page_size else None


class Delivery(BaseModel):
    """One channel's attempt to tell the user (the delivery log of a notification)."""

    model_config = ConfigDict(extra="ignore")

    channel: str
    status: str
    due_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    reason: str | None = None


async def unread_count(api: ServiceApi, deadline_s: float) -> int | None:
    """The bell's number; None when the service cannot tell now (down, slow, refusing)."""
    try:
        answer = await api.send("GET", f"{API}/unread", deadline_s=deadline_s)
    except BackendError as failed:
        log.info("no unread count", extra={"status": failed.status})
        return None
    count = answer.data.get("unread") if isinstance(answer.data, dict) else None
    return count if isinstance(count, int) and count >= 0 else None


async def notifications(
    api: ServiceApi, *, unread_only: bool, limit: int = PAGE_SIZE, before: int | None = None
) -> Inbox:
    params: dict[str, Any] = {"unread_only": str(unread_only).lower(), "limit": limit}
    if before is not None:
        params["before"] = before
    return _parsed(Inbox, await api.get(API, params=params))


async def mark_read(api: ServiceApi, notification_id: int) -> None:
    await api.post(f"{API}/{notification_id}/read")


async def mark_all_read(api: ServiceApi) -> None:
    await api.post(f"{API}/read-all")


async def deliveries(api: ServiceApi, notification_id: int) -> list[Delivery]:
    found = await api.get(f"{API}/{notification_id}/deliveries")
    return [_parsed(Delivery, item) for item in found or []]


def _parsed(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        log.warning("notifications answered out of shape", extra={"error": str(exc)[:300]})
        detail = "notifications answered out of shape"
        raise BackendError(502, detail, service="notifications") from None
