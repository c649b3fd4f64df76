"""Orders through the migration proxy: ours and the legacy system's in one list (paged by the
proxy's cursor), a search by number or words, an order's page, and a create form whose client
is found by typing (htmx asks for the matches; without JavaScript a "find" button does)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import zip_longest
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page
from servicedesk.web.pages.records_access import AgentPageDep, mark_of, marked

router = APIRouter(tags=["pages"], include_in_schema=False)

ORDERS_API = "/api/v1/orders"
CLIENTS_API = "/api/v1/clients"
PAGE_SIZE = 25
SEARCH_SIZE = 50
CHOICES = 10
ROWS = 3
MAX_ROWS = 30
CURRENCIES = ("RUB", "USD", "EUR", "CNY", "KZT", "BYN")
ITEM_FIELDS = ("sku", "title", "quantity", "unit_price")
Reference = Annotated[str, Path(min_length=1, max_length=64)]


# --- list and search ------------------------------------------------------------------------


@router.get("/orders", response_class=HTMLResponse)
async def orders_list(
    page: AgentPageDep,
    q: Annotated[str, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> HTMLResponse:
    """Every order, a page at a time; with `q`, ours by number or words and a legacy order
    with that number."""
    q = q.strip()
    if q:
        found = await page.backend.migration.get(
            f"{ORDERS_API}/search", params={"q": q, "limit": SEARCH_SIZE}
        )
    else:
        params: dict[str, Any] = {"limit": PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
        found = await page.backend.migration.get(ORDERS_API, params=params)
    template = "orders/_results.html" if page.htmx else "orders/list.html"
    return page.render(
        template,
        orders=marked(found.get("items") or []),
        partial=found.get("partial"),
        next_cursor=found.get("next_cursor"),
        paged=bool(cursor),
        q=q,
        show_client=True,
    )


# --- create ---------------------------------------------------------------------------------


def _empty_rows(count: int = ROWS) -> list[dict[str, str]]:
    return [dict.fromkeys(ITEM_FIELDS, "") for _ in range(count)]


def _choice(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "mark": mark_of(record), "ref": record.get("id") or record["external_id"]}


async def _client_choices(page: Page, query: str, chosen: str) -> list[dict[str, Any]]:
    """The clients whose names match what was typed; the chosen one first, named."""
    choices: list[dict[str, Any]] = []
    if query:
        found = await page.backend.migration.get(
            f"{CLIENTS_API}/search", params={"q": query, "limit": CHOICES}
        )
        choices = [_choice(r) for r in found.get("items") or []]
    if chosen and all(c["ref"] != chosen for c in choices):
        try:
            record = await page.backend.migration.get(f"{CLIENTS_API}/{chosen}")
        except BackendError as missing:
            if missing.status not in (404, 422):
                raise
        else:
            choices.insert(0, {**_choice(record), "ref": chosen})
    return choices


def _new_page(
    page: Page,
    form: dict[str, Any],
    choices: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    return page.render(
        "orders/new.html",
        status=status,
        form=form,
        choices=choices,
        searched=bool(form["client_q"]),
        errors=errors or {},
        detail=detail,
        currencies=CURRENCIES,
    )


@router.get("/orders/new", response_class=HTMLResponse)
async def new_order(
    page: AgentPageDep, client: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    """The form; `client` (our id or LC-n) comes chosen, from a client's page."""
    form = {
        "client_id": client,
        "client_q": "",
        "currency": CURRENCIES[0],
        "total_amount": "",
        "rows": _empty_rows(),
    }
    return _new_page(page, form, await _client_choices(page, "", client))


@router.get("/orders/client-choices", response_class=HTMLResponse)
async def client_choices(
    page: AgentPageDep,
    client_q: Annotated[str, Query(max_length=100)] = "",
    client_id: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The typeahead's answer: the matching clients as the form's choice."""
    query = client_q.strip()
    return page.render(
        "orders/_client_choices.html",
        choices=await _client_choices(page, query, client_id),
        form={"client_id": client_id},
        searched=bool(query),
        errors={},
    )


def _amount(text: str) -> str:
    """A number as typed (`1 234,50`) as the API takes it (`1234.50`); anything else as is,
    for the API to name the field."""
    cleaned = text.strip().replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        Decimal(cleaned)
    except InvalidOperation:
        return text.strip()
    return cleaned


def order_request(form: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The JSON for POST /api/v1/orders, and the form row of each item sent (to put the API's
    `items.<n>.<field>` errors next to the right row)."""
    items: list[dict[str, Any]] = []
    sent_rows: list[int] = []
    for at, row in enumerate(form["rows"]):
        if not any(str(v).strip() for v in row.values()):
            continue
        quantity = row["quantity"].strip()
        items.append(
            {
                "sku": row["sku"],
                "title": row["title"],
                "quantity": int(quantity) if quantity.isdigit() else quantity,
                "unit_price": _amount(row["unit_price"]),
            }
        )
        sent_rows.append(at)
    body: dict[str, Any] = {
        "client_id": form["client_id"],
        "currency": form["currency"].strip().upper(),
        "items": items,
    }
    if form["total_amount"].strip():
        body["total_amount"] = _amount(form["total_amount"])
    return body, sent_rows


def _row_errors(errors: dict[str, str], sent_rows: list[int]) -> dict[str, str]:
    """`items.<n>.<field>` of the n-th item sent, as the form row it came from."""
    mapped: dict[str, str] = {}
    for name, reason in errors.items():
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] == "items" and parts[1].isdigit():
            n = int(parts[1])
            if n < len(sent_rows):
                parts[1] = str(sent_rows[n])
        mapped[".".join(parts)] = reason
    return mapped


@router.post("/orders", response_class=HTMLResponse)
async def create_order(page: AgentPageDep) -> Response:
    """Creates the order; the buttons "find" (the client) and "more rows" show the form again."""
    async with page.request.form(max_files=0, max_fields=40 + 4 * MAX_ROWS) as sent:

        def text(name: str, limit: int = 200) -> str:
            return str(sent.get(name) or "")[:limit]

        columns = [[str(v)[:200] for v in sent.getlist(f"item_{f}")] for f in ITEM_FIELDS]
        rows = [
            dict(zip(ITEM_FIELDS, (v or "" for v in values), strict=True))
            for values in zip_longest(*columns, fillvalue="")
        ][:MAX_ROWS]
        form: dict[str, Any] = {
            "client_id": text("client_id", 64),
            "client_q": text("client_q", 100).strip(),
            "currency": text("currency", 3) or CURRENCIES[0],
            "total_amount": text("total_amount", 40),
            "rows": rows or _empty_rows(),
        }
        finding, adding = bool(sent.get("find")), bool(sent.get("add_row"))
    if adding and len(form["rows"]) < MAX_ROWS:
        form["rows"].append(dict.fromkeys(ITEM_FIELDS, ""))
    if finding or adding:
        choices = await _client_choices(page, form["client_q"], form["client_id"])
        return _new_page(page, form, choices)
    body, sent_rows = order_request(form)
    try:
        created = await page.backend.migration.post(ORDERS_API, json=body)
    except BackendError as refused:
        if refused.status not in (404, 409, 422):
            raise
        errors = _row_errors(refused.field_errors, sent_rows)
        if refused.status == 404:
            errors["client_id"] = refused.detail
        choices = await _client_choices(page, form["client_q"], form["client_id"])
        return _new_page(page, form, choices, errors, refused.detail, status=422)
    await page.flash(f"created:{created['id']}", "1")  # once: a reload does not show it
    return page.redirect(f"/orders/{created['id']}")


# --- one order ------------------------------------------------------------------------------


def _lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for item in order.get("items") or []:
        try:
            amount: Decimal | None = Decimal(str(item["unit_price"])) * int(item["quantity"])
        except (InvalidOperation, KeyError, TypeError, ValueError):
            amount = None
        lines.append({**item, "amount": amount})
    return lines


@router.get("/orders/{reference}", response_class=HTMLResponse)
async def order_view(page: AgentPageDep, reference: Reference) -> HTMLResponse:
    created = not page.htmx and await page.take_flash(f"created:{reference}")
    order = await page.backend.migration.get(f"{ORDERS_API}/{reference}")
    client_ref = order.get("client_id") or order.get("client_external_id")
    return page.render(
        "orders/detail.html",
        order={**order, "mark": mark_of(order)},
        lines=_lines(order),
        client_ref=client_ref,
        notice=page.t("orders.created") if created else "",
    )
