"""Watching an incident or a problem: its notifications reach the user as a watcher's do.

The incident and problem pages show a Watch / Unwatch button with the number of watchers
(`watch_state`, None when the notifications service cannot tell: the button is left out). The
button is a form: htmx swaps the answer in; without JavaScript the page comes back.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], include_in_schema=False)
AggregateType = Literal["incident", "problem"]
PAGES = {"incident": "/incidents", "problem": "/problems"}
KEY = re.compile(r"^(INC|PRB)-[0-9]{1,12}$")  # where to come back to, without JavaScript


class Watcher(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str
    since: str | None = None


class Watching(BaseModel):
    model_config = ConfigDict(extra="ignore")

    watching: bool = False
    watchers: list[Watcher] = Field(default_factory=list)

    @property
    def names(self) -> str:
        return ", ".join(w.username for w in self.watchers)


def _api(aggregate_type: str, aggregate_id: uuid.UUID | str) -> str:
    return f"/api/v1/watch/{aggregate_type}/{aggregate_id}"


def _parsed(data: object) -> Watching | None:
    try:
        return Watching.model_validate(data)
    except ValidationError:
        log.warning("notifications answered a watch out of shape")
        return None


async def watch_state(
    page: Page, aggregate_type: AggregateType, aggregate_id: str
) -> Watching | None:
    """Whether the user watches it, and who does; None when the service cannot say now."""
    try:
        found = await page.backend.notifications.get(_api(aggregate_type, aggregate_id))
    except BackendError as failed:
        if failed.status == 401:
            raise
        log.info("no watch state", extra={"status": failed.status})
        return None
    return _parsed(found)


@dataclass(frozen=True, slots=True)
class WatchButton:
    """What `watch/_button.html` shows (the template's `watch`)."""

    type: AggregateType
    id: str
    key: str
    state: Watching | None
    alert: str = ""


async def watch_button(
    page: Page, aggregate_type: AggregateType, aggregate_id: str, key: str
) -> WatchButton:
    state = await watch_state(page, aggregate_type, aggregate_id)
    return WatchButton(aggregate_type, aggregate_id, key, state)


@router.post("/watching/{aggregate_type}/{aggregate_id}", response_class=HTMLResponse)
async def change_watch(
    page: PageDep,
    aggregate_type: AggregateType,
    aggregate_id: uuid.UUID,
    key: Annotated[str, Form(max_length=64)],
    action: Annotated[Literal["watch", "unwatch"], Form()] = "watch",
) -> Response:
    """Starts or stops watching; answers with the button (htmx) or the page again."""
    if not KEY.match(key):
        raise BackendError(404, page.t("watch.no_such_item"), "not-found", service="web")
    notifications = page.backend.notifications
    path = _api(aggregate_type, aggregate_id)
    alert = ""
    try:
        if action == "watch":
            state = _parsed(await notifications.put(path, json=None))
        else:
            answer = await notifications.delete(path)
            state = _parsed(answer if answer is not None else await notifications.get(path))
    except BackendError as refused:
        if refused.status == 401:
            raise
        alert = page.t("watch.failed", detail=refused.detail)
        state = await watch_state(page, aggregate_type, str(aggregate_id))
    if not page.htmx:
        return page.redirect(f"{PAGES[aggregate_type]}/{key}")
    button = WatchButton(aggregate_type, str(aggregate_id), key, state, alert)
    return page.render("watch/_button.html", watch=button)
