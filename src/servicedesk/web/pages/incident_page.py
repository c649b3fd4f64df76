"""One incident: what it is, its SLA, its problem, comments, transitions, attachments, history.

Everything the user may not see the tickets service leaves out (a reporter gets public comments
and attachments only, no history); the page hides the forms they may not use. Attachments are
downloaded through the console, with the user's token, as the service sends them.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages.ticket_parts import (
    assignable_users,
    find_choice,
    is_staff,
    label_in,
    transition_choices,
    url,
)
from servicedesk.web.pages.transitions import TransitionFormDep, TransitionPages
from servicedesk.web.pages.watching import watch_button

router = APIRouter(tags=["pages"], include_in_schema=False)
KEY = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DOWNLOAD_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "content-disposition",
    "content-security-policy",
    "x-content-type-options",
    "etag",
    "last-modified",
    "cache-control",
)
FormText = Annotated[str, Form()]


class NoSuchPage(BackendError):
    """A key that cannot be one: the same 404 page as an unknown incident."""

    def __init__(self) -> None:
        super().__init__(404, "no such incident", "not-found", service="web")


def checked_key(key: str) -> str:
    if not KEY.match(key):
        raise NoSuchPage()
    return key.upper() if key.lower().startswith("inc-") else key


def _api(key: str, tail: str = "") -> str:
    return f"/api/v1/incidents/{key}{tail}"


async def _optional(call: Any, default: Any) -> Any:
    try:
        return await call
    except BackendError as refused:
        if refused.status in (403, 404):
            return default
        raise


async def _incident_page(
    page: Page,
    key: str,
    *,
    status: int = 200,
    transition_id: str = "",
    **extra: Any,
) -> HTMLResponse:
    """The page; with `transition_id`, that transition's form open (without JavaScript, or
    sent back with what is missing)."""
    staff = is_staff(page)
    tickets = page.backend.tickets
    incident, comments, transitions, attachments, history, policy = await asyncio.gather(
        tickets.get(_api(key)),
        tickets.get(_api(key, "/comments")),
        tickets.get(_api(key, "/transitions")),
        tickets.get(_api(key, "/attachments")),
        tickets.get(_api(key, "/history")) if staff else _none(),
        tickets.get("/api/v1/policy"),
    )
    problem_id = incident.get("problem_id") if staff else None
    problem, watch = await asyncio.gather(
        _optional(tickets.get(f"/api/v1/problems/{problem_id}"), None) if problem_id else _none(),
        watch_button(page, "incident", str(incident["id"]), incident["key"]),
    )
    choices = transition_choices(transitions, page.lang, bool(incident.get("assignee_id")))
    choice = find_choice(choices, transition_id) if transition_id else None
    users = await assignable_users(page, choice is not None and "assignee" in choice.asks)
    context: dict[str, Any] = {
        "incident": incident,
        "comments": comments,
        "choices": choices,
        "attachments": attachments,
        "history": history,
        "problem": problem,
        "watch": watch,
        "staff": staff,
        "category": label_in(
            policy.get("categories", {}).get(incident["category"]), page.lang, incident["category"]
        ),
        "comment_form": {"body": "", "visibility": "public"},
        "comment_errors": {},
        "comment_detail": "",
        "open_transition": choice,
        "transition_values": {},
        "transition_errors": {},
        "transition_detail": "",
        "users": users,
        "notice": "",
        "refused": [],
    }
    context.update(extra)
    return page.render("incidents/page.html", status=status, **context)


async def _none() -> None:
    return None


@router.get("/incidents/{key}", response_class=HTMLResponse)
async def incident(
    page: PageDep, key: str, transition: str = "", refused: str = ""
) -> HTMLResponse:
    key = checked_key(key)
    extra: dict[str, Any] = {}
    created = None if page.htmx else await page.take_flash(f"created:{key}")
    if created is not None:  # once, after the create form's redirect; not on reload
        extra["notice"] = page.t("incident.created_notice")
        refused = ",".join(name for name in (refused, created) if name and name != "-")
    if refused:
        extra["refused"] = [name for name in refused.split(",")[:10] if name]
    return await _incident_page(page, key, transition_id=transition, **extra)


TRANSITIONS = TransitionPages("incidents", "incident-not-found", _incident_page)


@router.get("/incidents/{key}/transitions/{transition_id}", response_class=HTMLResponse)
async def transition_form(page: PageDep, key: str, transition_id: str) -> Response:
    """The form of a transition that asks for fields (htmx: the form alone)."""
    return await TRANSITIONS.form(page, checked_key(key), transition_id)


@router.post("/incidents/{key}/transitions", response_class=HTMLResponse)
async def make_transition(page: PageDep, key: str, form: TransitionFormDep) -> Response:
    """Moves the incident; a refusal shows the form again with why (422 keeps htmx swapping)."""
    return await TRANSITIONS.send(page, checked_key(key), form)


@router.post("/incidents/{key}/comments", response_class=HTMLResponse)
async def add_comment(
    page: PageDep, key: str, body: FormText = "", visibility: FormText = "public"
) -> Response:
    """A public comment (the reporter hears of it) or, for agents, an internal note."""
    key = checked_key(key)
    chosen = visibility if is_staff(page) and visibility == "internal" else "public"
    form = {"body": body, "visibility": chosen}
    try:
        await page.backend.tickets.post(
            _api(key, "/comments"), json={"body": body, "visibility": chosen}
        )
    except BackendError as refused:
        if refused.status != 422:
            raise
        errors = refused.field_errors
        detail = "" if errors else refused.detail
        if page.htmx:
            comments = await page.backend.tickets.get(_api(key, "/comments"))
            return page.render(
                "incidents/_comments.html",
                status=422,
                incident={"key": key},
                comments=comments,
                staff=is_staff(page),
                comment_form=form,
                comment_errors=errors,
                comment_detail=detail,
            )
        return await _incident_page(
            page,
            key,
            status=422,
            comment_form=form,
            comment_errors=errors,
            comment_detail=detail,
        )
    if not page.htmx:
        return page.redirect(f"/incidents/{key}#comments")
    comments = await page.backend.tickets.get(_api(key, "/comments"))
    return page.render(
        "incidents/_comments.html",
        incident={"key": key},
        comments=comments,
        staff=is_staff(page),
        comment_form={"body": "", "visibility": chosen},
        comment_errors={},
        comment_detail="",
    )


@router.post("/incidents/{key}/attachments", response_class=HTMLResponse)
async def upload_attachment(page: PageDep, key: str) -> Response:
    """One file, public (or, for agents, internal); back to the page, naming it if refused."""
    key = checked_key(key)
    async with page.request.form(max_files=1, max_fields=10) as posted:
        upload = posted.get("file")
        visibility = posted.get("visibility")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page.redirect(f"/incidents/{key}#attachments")
        name = upload.filename
        data = await upload.read()
        content_type = upload.content_type or "application/octet-stream"
    chosen = "internal" if visibility == "internal" and is_staff(page) else "public"
    try:
        await page.backend.tickets.send(
            "POST",
            _api(key, "/attachments"),
            files={"file": (name, data, content_type)},
            data={"visibility": chosen},
        )
    except BackendError as refused:
        if refused.status >= 500 or refused.status in (401, 404):
            raise
        return page.redirect(url(f"/incidents/{key}", refused=name[:80].replace(",", " ")))
    return page.redirect(f"/incidents/{key}#attachments")


@router.get("/incidents/{key}/attachments/{attachment_id}")
async def download_attachment(page: PageDep, key: str, attachment_id: str) -> Response:
    """The file as the tickets service sends it (always a download), streamed through."""
    key = checked_key(key)
    try:
        uuid.UUID(attachment_id)
    except ValueError:
        raise NoSuchPage() from None
    upstream = await page.backend.tickets.open_stream(_api(key, f"/attachments/{attachment_id}"))
    passed = upstream.headers
    headers = {name: passed[name] for name in DOWNLOAD_HEADERS if name in passed}
    headers.setdefault("cache-control", "private, no-store")
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )
