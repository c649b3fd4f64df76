"""Clients through the migration proxy: ours and the legacy system's in one list (paged by the
proxy's cursor), a live search, a create form, and a client's page with its orders and an edit
form. Editing a client only the legacy system has moves it in first (the proxy does it); the
edit is guarded by If-Match, so a change made meanwhile is not overwritten (412)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page
from servicedesk.web.pages.records_access import AgentPageDep, all_of, mark_of, marked

router = APIRouter(tags=["pages"], include_in_schema=False)

CLIENTS_API = "/api/v1/clients"
ORDERS_API = "/api/v1/orders"
PAGE_SIZE = 25
SEARCH_SIZE = 50
CLIENT_ORDERS = 20
KINDS = ("person", "company")
OPTIONAL = ("email", "phone", "tax_id")
Reference = Annotated[str, Path(min_length=1, max_length=64)]
Text = Annotated[str, Form(max_length=500)]


def client_form(record: dict[str, Any] | None = None) -> dict[str, str]:
    record = record or {}
    return {
        "display_name": str(record.get("display_name") or ""),
        "kind": str(record.get("kind") or "person"),
        "email": str(record.get("email") or ""),
        "phone": str(record.get("phone") or ""),
        "tax_id": str(record.get("tax_id") or ""),
    }


def etag_of(record: dict[str, Any]) -> str:
    """Our record's version as the clients service's ETag; a legacy-only record has none (the
    proxy moves it in at version 1 and edits that)."""
    if record.get("source") == "legacy" or record.get("version") is None:
        return ""
    return f'"{record["version"]}"'


# --- list and search ------------------------------------------------------------------------


@router.get("/clients", response_class=HTMLResponse)
async def clients_list(
    page: AgentPageDep,
    q: Annotated[str, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> HTMLResponse:
    """Everyone, a page at a time; with `q`, the proxy's search (ours first, then legacy-only)."""
    q = q.strip()
    if q:
        found = await page.backend.migration.get(
            f"{CLIENTS_API}/search", params={"q": q, "limit": SEARCH_SIZE}
        )
        next_cursor = None
    else:
        params: dict[str, Any] = {"limit": PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
        found = await page.backend.migration.get(CLIENTS_API, params=params)
        next_cursor = found.get("next_cursor")
    template = "clients/_results.html" if page.htmx else "clients/list.html"
    return page.render(
        template,
        clients=marked(found.get("items") or []),
        partial=found.get("partial"),
        next_cursor=next_cursor,
        paged=bool(cursor),
        q=q,
    )


# --- create ---------------------------------------------------------------------------------


def _new_page(
    page: Page,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    template = "clients/_new_form.html" if page.htmx else "clients/new.html"
    return page.render(
        template, status=status, form=form, errors=errors or {}, detail=detail, kinds=KINDS
    )


@router.get("/clients/new", response_class=HTMLResponse)
async def new_client(page: AgentPageDep) -> HTMLResponse:
    return _new_page(page, client_form())


def client_body(form: dict[str, str], *, clear_empty: bool) -> dict[str, Any]:
    """The JSON the clients service takes: empty optional fields are left out (create) or
    cleared (edit)."""
    body: dict[str, Any] = {"display_name": form["display_name"], "kind": form["kind"]}
    for name in OPTIONAL:
        value = form[name].strip()
        if value:
            body[name] = value
        elif clear_empty:
            body[name] = None
    return body


@router.post("/clients", response_class=HTMLResponse)
async def create_client(
    page: AgentPageDep,
    display_name: Text = "",
    kind: Annotated[str, Form(max_length=20)] = "person",
    email: Text = "",
    phone: Text = "",
    tax_id: Text = "",
) -> Response:
    form = {
        "display_name": display_name,
        "kind": kind,
        "email": email,
        "phone": phone,
        "tax_id": tax_id,
    }
    try:
        created = await page.backend.migration.post(
            CLIENTS_API, json=client_body(form, clear_empty=False)
        )
    except BackendError as refused:
        if refused.status not in (409, 422):
            raise
        return _new_page(page, form, refused.field_errors, refused.detail, status=422)
    await page.flash(f"created:{created['id']}", "1")  # once: a reload does not show it
    return page.redirect(f"/clients/{created['id']}")


# --- one client -----------------------------------------------------------------------------


async def _client_page(
    page: Page,
    reference: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    detail: str = "",
    notice: str = "",
    alert: str = "",
    status: int = 200,
    etag: str | None = None,
) -> HTMLResponse:
    """The client and its orders; `etag` keeps the version a form was sent with."""
    client, orders = await all_of(
        page.backend.migration.get(f"{CLIENTS_API}/{reference}"),
        page.backend.migration.get(
            ORDERS_API, params={"client": reference, "limit": CLIENT_ORDERS}
        ),
    )
    client = {**client, "mark": mark_of(client)}
    return page.render(
        "clients/detail.html",
        status=status,
        client=client,
        reference=reference,
        etag=etag_of(client) if etag is None else etag,
        orders=marked(orders.get("items") or []),
        orders_partial=orders.get("partial"),
        form=form or client_form(client),
        errors=errors or {},
        detail=detail,
        notice=notice,
        alert=alert,
        kinds=KINDS,
    )


@router.get("/clients/{reference}", response_class=HTMLResponse)
async def client_view(
    page: AgentPageDep,
    reference: Reference,
    saved: bool = False,
    moved: bool = False,
) -> HTMLResponse:
    notice = ""
    if not page.htmx and await page.take_flash(f"created:{reference}"):
        notice = page.t("clients.created")
    elif moved:
        notice = page.t("clients.saved_and_moved")
    elif saved:
        notice = page.t("clients.saved")
    return await _client_page(page, reference, notice=notice)


@router.post("/clients/{reference}", response_class=HTMLResponse)
async def edit_client(
    page: AgentPageDep,
    reference: Reference,
    etag: Annotated[str, Form(max_length=40)] = "",
    source: Annotated[str, Form(max_length=10)] = "",
    display_name: Text = "",
    kind: Annotated[str, Form(max_length=20)] = "person",
    email: Text = "",
    phone: Text = "",
    tax_id: Text = "",
) -> Response:
    """Sends the edit with If-Match (the version the form showed). A legacy-only client is moved
    in by the proxy first, and the page then shows our copy, marked migrated."""
    form = {
        "display_name": display_name,
        "kind": kind,
        "email": email,
        "phone": phone,
        "tax_id": tax_id,
    }
    headers = {"If-Match": etag} if etag else None
    try:
        answer = await page.backend.migration.send(
            "PATCH",
            f"{CLIENTS_API}/{reference}",
            json=client_body(form, clear_empty=True),
            headers=headers,
        )
    except BackendError as refused:
        if refused.status == 412:
            # Someone saved it meanwhile: show what it is now (a new version to edit).
            return await _client_page(page, reference, alert=page.t("clients.stale"), status=412)
        if refused.status not in (409, 422):
            raise
        return await _client_page(
            page,
            reference,
            form=form,
            errors=refused.field_errors,
            detail=refused.detail,
            status=422,
            etag=etag,
        )
    saved = answer.data or {}
    flag = "moved" if source == "legacy" else "saved"
    return page.redirect(f"/clients/{saved.get('id') or reference}?{flag}=1")
