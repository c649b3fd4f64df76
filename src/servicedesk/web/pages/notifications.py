"""The user's notifications: the bell's panel, the full list, reading them, their delivery log.

The bell (in base.html) is a link to `/notifications`; with JavaScript it opens a panel loaded
from `/notifications/panel`. A notification's link goes through `/notifications/{id}/go`, which
marks it read and leads on to the incident or problem. Marking read answers htmx with the same
view again (the panel or the page's list) and the new unread count in the `HX-Trigger` event
`sd-unread`, which static/notifications.js puts on the bell; without JavaScript every action is
a form posting back to the page it came from.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.inbox import (
    PAGE_SIZE,
    PANEL_SIZE,
    Inbox,
    deliveries,
    mark_all_read,
    mark_read,
    notifications,
)
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages.ticket_parts import url
from servicedesk.web.signin import safe_next

router = APIRouter(tags=["pages"], include_in_schema=False)
SHOWS = ("all", "unread")
VIEWS = ("page", "panel")
NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1)]
FormText = Annotated[str, Form(max_length=32)]


def _show(value: str) -> str:
    return value if value in SHOWS else "all"


def _before(value: str | int | None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and number > 0 else None


def list_url(show: str, before: int | None = None) -> str:
    return url("/notifications", show=show if show != "all" else None, before=before)


def _with_unread(response: HTMLResponse, inbox: Inbox) -> HTMLResponse:
    """The bell learns the new count from the answer's htmx event."""
    response.headers["HX-Trigger"] = json.dumps({"sd-unread": {"unread": inbox.unread}})
    return response


async def _page(page: Page, show: str, before: int | None, *, part: bool) -> HTMLResponse:
    inbox = await notifications(
        page.backend.notifications, unread_only=show == "unread", before=before
    )
    older = inbox.older_than(PAGE_SIZE)
    context: dict[str, Any] = {
        "inbox": inbox,
        "show": show,
        "shows": SHOWS,
        "before": before,
        "first_url": list_url(show) if before else None,
        "older_url": list_url(show, older) if older else None,
    }
    if part:
        return _with_unread(page.render("notifications/_list.html", **context), inbox)
    return page.render("notifications/page.html", **context)


async def _panel(page: Page) -> HTMLResponse:
    try:
        inbox = await notifications(page.backend.notifications, unread_only=False, limit=PANEL_SIZE)
    except BackendError as failed:
        if failed.status == 401:
            raise
        return page.render("notifications/_panel.html", inbox=None)
    return _with_unread(page.render("notifications/_panel.html", inbox=inbox), inbox)


@router.get("/notifications", response_class=HTMLResponse)
async def notification_list(
    page: PageDep,
    show: Annotated[str, Query(max_length=16)] = "all",
    before: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """Newest first, a page at a time (older ones by `before`), all or the unread ones."""
    return await _page(page, _show(show), _before(before), part=page.htmx)


@router.get("/notifications/panel", response_class=HTMLResponse)
async def panel(page: PageDep) -> Response:
    """The bell's panel: the latest few, "mark all read", the way to the full list."""
    if not page.htmx:
        return RedirectResponse("/notifications", status_code=303)
    return await _panel(page)


async def _answer(page: Page, view: str, show: str, before: str) -> Response:
    """After marking read: the view the user is in, again (htmx), or back to the list."""
    chosen_show, chosen_before = _show(show), _before(before)
    if not page.htmx:
        return page.redirect(list_url(chosen_show, chosen_before))
    if view == "panel":
        return await _panel(page)
    return await _page(page, chosen_show, chosen_before, part=True)


@router.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
async def read_one(
    page: PageDep,
    notification_id: NotificationId,
    view: FormText = "page",
    show: FormText = "all",
    before: FormText = "",
) -> Response:
    await mark_read(page.backend.notifications, notification_id)
    return await _answer(page, view, show, before)


@router.post("/notifications/read-all", response_class=HTMLResponse)
async def read_all(
    page: PageDep, view: FormText = "page", show: FormText = "all", before: FormText = ""
) -> Response:
    await mark_all_read(page.backend.notifications)
    return await _answer(page, view, show, before)


@router.get("/notifications/{notification_id}/go")
async def go(
    page: PageDep,
    notification_id: NotificationId,
    to: Annotated[str, Query(max_length=2000)] = "/notifications",
) -> Response:
    """Marks the notification read and leads on to what it is about (a path of the console:
    anything else goes to the start page). A failure to mark it read does not stop the way."""
    try:
        await mark_read(page.backend.notifications, notification_id)
    except BackendError as failed:
        if failed.status == 401:
            raise
    return RedirectResponse(safe_next(to), status_code=303)


@router.get("/notifications/{notification_id}/deliveries", response_class=HTMLResponse)
async def delivery_log(page: PageDep, notification_id: NotificationId) -> HTMLResponse:
    """Where and when the service told the user of this notification (htmx: the table)."""
    found = await deliveries(page.backend.notifications, notification_id)
    template = "notifications/_deliveries.html" if page.htmx else "notifications/deliveries.html"
    return page.render(template, deliveries=found, notification_id=notification_id)
