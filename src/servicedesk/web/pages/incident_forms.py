"""A new incident: the form, the live priority, the client and order pickers, attachments.

The form carries an Idempotency-Key made when it is shown, so a second submit of the same form
answers with the incident the first one made (the tickets service replays it). Attachments are
uploaded once the incident exists, and only by the submit that made it.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages.ticket_parts import LEVELS, is_staff, label_in

router = APIRouter(tags=["pages"], include_in_schema=False)
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
FIELDS = ("title", "description", "category", "impact", "urgency", "client", "order")
MAX_FILES = 10
MAX_CLIENTS = 15
MAX_ORDERS = 20
ORDER_PAGE = 100


@dataclass
class NewIncident:
    """What the form holds, sent back with its errors when the service refuses it."""

    values: dict[str, str] = field(default_factory=dict)
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_query: str = ""
    order_query: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def _text(form: FormData, name: str, limit: int = 25_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _priority(policy: dict[str, Any], impact: str, urgency: str) -> str | None:
    row = policy.get("priority_matrix", {}).get(impact) or {}
    found = row.get(urgency)
    return str(found) if found else None


def _categories(policy: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    return [
        (name, label_in(labels, lang, name))
        for name, labels in policy.get("categories", {}).items()
    ]


# --- the client and order pickers ------------------------------------------------------------


def client_ref(client: dict[str, Any]) -> str:
    """Ours by id; a record only the legacy system has by its legacy id (LC-<n>)."""
    return str(client.get("id") or client.get("external_id") or "")


def order_ref(order: dict[str, Any]) -> str:
    return str(order.get("id") or order.get("external_id") or "")


async def _client_options(page: Page, query: str, chosen: str) -> list[dict[str, Any]]:
    """Clients matching the words (ours first, then legacy-only ones), the chosen one kept."""
    found: list[dict[str, Any]] = []
    if query.strip():
        answer = await page.backend.migration.get(
            "/api/v1/clients/search", params={"q": query.strip()[:100], "limit": MAX_CLIENTS}
        )
        found = list(answer.get("items", []))
    if chosen and all(client_ref(c) != chosen for c in found):
        try:
            found.insert(0, await page.backend.migration.get(f"/api/v1/clients/{chosen}"))
        except BackendError as refused:
            if refused.status not in (400, 404, 422):
                raise
    return [{**c, "ref": client_ref(c)} for c in found if client_ref(c)]


def _matches(order: dict[str, Any], words: str) -> bool:
    wanted = words.casefold().split()
    lines = order.get("items") or []
    text = " ".join(
        [str(order.get("number", "")), str(order.get("status", ""))]
        + [str(line.get("title", "")) for line in lines if isinstance(line, dict)]
    ).casefold()
    return all(word in text for word in wanted)


async def _order_options(page: Page, client: str, query: str) -> list[dict[str, Any]]:
    """The chosen client's orders (both systems), those matching the words first 20."""
    if not client:
        return []
    answer = await page.backend.migration.get(
        "/api/v1/orders", params={"client": client, "limit": ORDER_PAGE}
    )
    orders = [o for o in answer.get("items", []) if order_ref(o)]
    if query.strip():
        orders = [o for o in orders if _matches(o, query)]
    return [{**o, "ref": order_ref(o)} for o in orders[:MAX_ORDERS]]


# --- the form --------------------------------------------------------------------------------


async def _form_page(
    page: Page,
    form: NewIncident,
    *,
    errors: dict[str, str] | None = None,
    detail: str = "",
    status: int = 200,
    files_dropped: bool = False,
) -> HTMLResponse:
    staff = is_staff(page)
    client = form.get("client")
    policy, clients, orders = await asyncio.gather(
        page.backend.tickets.get("/api/v1/policy"),
        _client_options(page, form.client_query, client) if staff else _nothing(),
        _order_options(page, client, form.order_query) if staff else _nothing(),
    )
    context = {
        "form": form,
        "errors": errors or {},
        "detail": detail,
        "categories": _categories(policy, page.lang),
        "levels": LEVELS,
        "priority": _priority(policy, form.get("impact", "medium"), form.get("urgency", "medium")),
        "staff": staff,
        "clients": clients,
        "orders": orders,
        "files_dropped": files_dropped,
    }
    template = "incidents/_new_form.html" if page.htmx else "incidents/new.html"
    return page.render(template, status=status, **context)


async def _nothing() -> list[dict[str, Any]]:
    return []


@router.get("/incidents/new", response_class=HTMLResponse)
async def new_incident(page: PageDep) -> HTMLResponse:
    form = NewIncident(values={"impact": "medium", "urgency": "medium"})
    return await _form_page(page, form)


@router.get("/incidents/new/priority", response_class=HTMLResponse)
async def priority_preview(
    page: PageDep, impact: str = "medium", urgency: str = "medium"
) -> HTMLResponse:
    """The priority impact × urgency gives, by the policy's matrix (shown as the user picks)."""
    policy = await page.backend.tickets.get("/api/v1/policy")
    return page.render("incidents/_priority.html", priority=_priority(policy, impact, urgency))


@router.get("/incidents/new/clients", response_class=HTMLResponse)
async def client_search(
    page: PageDep,
    client_query: Annotated[str, Query(max_length=200)] = "",
    client: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The typeahead's clients: ours and the legacy system's (marked), the chosen one kept."""
    clients = await _client_options(page, client_query, client)
    return page.render(
        "incidents/_client_options.html",
        clients=clients,
        form=NewIncident(values={"client": client}, client_query=client_query),
        errors={},
    )


@router.get("/incidents/new/orders", response_class=HTMLResponse)
async def order_search(
    page: PageDep,
    client: Annotated[str, Query(max_length=64)] = "",
    order_query: Annotated[str, Query(max_length=200)] = "",
    order: Annotated[str, Query(max_length=64)] = "",
    part: str = "",
) -> HTMLResponse:
    """The chosen client's orders: the whole picker when the client changes, else the list."""
    orders = await _order_options(page, client, order_query)
    form = NewIncident(values={"client": client, "order": order}, order_query=order_query)
    template = "incidents/_order_" + ("options" if part == "options" else "picker") + ".html"
    return page.render(template, orders=orders, form=form, errors={})


@router.post("/incidents/new", response_class=HTMLResponse)
async def create_incident(page: PageDep) -> Response:
    async with page.request.form(max_files=MAX_FILES, max_fields=50) as posted:
        values = {name: _text(posted, name).strip() for name in FIELDS}
        values["description"] = _text(posted, "description")
        form = NewIncident(
            values=values,
            idempotency_key=_text(posted, "idempotency_key", 200),
            client_query=_text(posted, "client_query", 200),
            order_query=_text(posted, "order_query", 200),
        )
        action = _text(posted, "action", 20)
        files = [
            (f.filename or "file", await f.read(), f.content_type or "application/octet-stream")
            for f in posted.getlist("files")
            if isinstance(f, UploadFile) and f.filename and f.size != 0
        ]
    if not IDEMPOTENCY_KEY.match(form.idempotency_key):
        form.idempotency_key = str(uuid.uuid4())
    if not is_staff(page):
        values["client"] = values["order"] = ""
    if action in ("find_client", "find_orders"):  # the pickers without JavaScript
        return await _form_page(page, form, files_dropped=bool(files))
    body: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"],
        "category": values["category"],
        "impact": values["impact"] or "medium",
        "urgency": values["urgency"] or "medium",
        "channel": "web",
    }
    if values["client"]:
        body["client"] = values["client"]
    if values["order"]:
        body["order"] = values["order"]
    try:
        created = await page.backend.tickets.send(
            "POST",
            "/api/v1/incidents",
            json=body,
            headers={"Idempotency-Key": form.idempotency_key},
        )
    except BackendError as refused:
        if refused.status != 422:
            raise
        errors = {name.split(".")[0]: reason for name, reason in refused.field_errors.items()}
        if "Idempotency-Key" in errors:  # the same form, changed after it made an incident
            form.idempotency_key = str(uuid.uuid4())
        return await _form_page(
            page,
            form,
            errors=errors,
            detail=refused.detail if not errors else "",
            status=422,
            files_dropped=bool(files),
        )
    incident = created.data
    refused_files: list[str] = []
    if created.headers.get("idempotent-replayed") != "true":
        refused_files = await _attach(page, str(incident["id"]), files)
    # post/redirect/get with a one-time flash: a reload of the page does not show it again
    await page.flash(f"created:{incident['key']}", ",".join(refused_files) or "-")
    return page.redirect(f"/incidents/{incident['key']}")


async def _attach(page: Page, incident_id: str, files: list[tuple[str, bytes, str]]) -> list[str]:
    """Uploads the files to the new incident; returns the names the service refused."""
    refused = []
    for name, data, content_type in files:
        try:
            await page.backend.tickets.send(
                "POST",
                f"/api/v1/incidents/{incident_id}/attachments",
                files={"file": (name, data, content_type)},
                data={"visibility": "public"},
            )
        except BackendError as error:
            if error.status >= 500:
                raise
            refused.append(name[:80].replace(",", " "))
    return refused
