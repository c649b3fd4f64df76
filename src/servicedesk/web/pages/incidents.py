"""Incidents: the query bar (with completion), the results, the filter builder, saved filters.

The bar and the builder are two views of one query: the builder's rows become the query model,
which the tickets service renders to text (`POST /api/v1/query/render`); "edit in builder"
parses the text back (`POST /api/v1/query/parse`). Saved filters run as text in the bar.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages import query_builder
from servicedesk.web.pages.query_builder import Builder, NotFlat
from servicedesk.web.pages.ticket_parts import (
    QueryProblem,
    positive_int,
    query_problem,
    url,
)

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 20
MAX_OFFSET = 10_000  # the query API pages no further
MAX_SUGGESTIONS = 12
SCOPES = ("private", "group", "everyone")
SPACED_KINDS = frozenset({"field", "operator", "keyword"})
# The completion's English labels of functions and relative dates, in the catalogs.
KNOWN_LABELS = {
    "you": "incidents.query.label_you",
    "your groups": "incidents.query.label_your_groups",
    "now": "incidents.query.label_now",
    "a day ago": "incidents.query.label_day_ago",
    "a week ago": "incidents.query.label_week_ago",
    "30 days ago": "incidents.query.label_30_days_ago",
}
FormList = Annotated[list[str], Form()]
FormText = Annotated[str, Form()]


def suggestion_label(page: Page, label: str) -> str:
    """A value's label in the reader's language: the service says "In progress / В работе"."""
    if label in KNOWN_LABELS:
        return page.t(KNOWN_LABELS[label], default=label)
    parts = label.split(" / ")
    if len(parts) == 2:
        return parts[1] if page.lang == "ru" else parts[0]
    return label


def list_url(q: str, number: int = 1, filter_id: str = "") -> str:
    return url("/incidents", q=q, page=number if number > 1 else None, filter=filter_id)


async def _results(page: Page, q: str, number: int) -> dict[str, Any]:
    """One page of the query's matches, or what is wrong with the query."""
    offset = min((number - 1) * PAGE_SIZE, MAX_OFFSET)
    params = {"q": q, "entity": "incident", "limit": PAGE_SIZE, "offset": offset}
    try:
        found = await page.backend.tickets.get("/api/v1/query", params=params)
    except BackendError as refused:
        if refused.status not in (400, 422):
            raise
        return {"incidents": [], "total": 0, "capped": False, "problem": query_problem(refused, q)}
    return {
        "incidents": found["items"],
        "total": found["total"],
        "capped": found["capped"],
        "problem": None,
    }


def _table_context(q: str, number: int, filter_id: str, results: dict[str, Any]) -> dict[str, Any]:
    first = (number - 1) * PAGE_SIZE + 1
    shown = len(results["incidents"])
    more = first - 1 + shown < results["total"] and first - 1 + PAGE_SIZE <= MAX_OFFSET
    return {
        **results,
        "q": q,
        "page_number": number,
        "first": first,
        "last": first + shown - 1,
        "here": list_url(q, number, filter_id),
        "previous_url": list_url(q, number - 1, filter_id) if number > 1 else None,
        "next_url": list_url(q, number + 1, filter_id) if more else None,
        "oob": False,
    }


async def _builder_from_text(page: Page, q: str) -> tuple[Builder, str]:
    """The builder's rows for the text, or why they cannot be shown (an empty text: a start)."""
    if not q.strip():
        return Builder.empty(), ""
    try:
        parsed = await page.backend.tickets.post(
            "/api/v1/query/parse", json={"text": q, "entity": "incident"}
        )
        return query_builder.from_model(parsed["query"]), ""
    except BackendError as refused:
        if refused.status not in (400, 422):
            raise
        return Builder(), page.t("incidents.builder.text_invalid", detail=refused.detail)
    except NotFlat:
        return Builder(), page.t("incidents.builder.too_complex")


def _builder_context(
    builder: Builder, detail: str = "", errors: dict[int, str] | None = None, is_open: bool = True
) -> dict[str, Any]:
    return {
        "builder": builder,
        "builder_detail": detail,
        "builder_errors": errors or {},
        "builder_open": is_open,
        "fields": query_builder.FIELDS,
        "orderable": query_builder.ORDERABLE,
        "operator_names": query_builder.OPERATOR_NAMES,
    }


async def _saved_filters(page: Page) -> list[dict[str, Any]] | None:
    """The user's incident filters (agents only: filters are the agents' tool)."""
    if not page.user.has_any_role("agent"):
        return None
    found: list[dict[str, Any]] = await page.backend.tickets.get("/api/v1/filters")
    return [f for f in found if f.get("entity") == "incident"]


@router.get("/incidents", response_class=HTMLResponse)
async def incidents(
    page: PageDep,
    q: Annotated[str, Query()] = "",
    number: Annotated[str | None, Query(alias="page")] = None,
    view: str = "",
    filter_id: Annotated[str, Query(alias="filter")] = "",
) -> HTMLResponse:
    """The results of the query in the bar (empty: every incident, newest first)."""
    at = positive_int(number, highest=MAX_OFFSET // PAGE_SIZE + 1)
    if page.htmx:  # the results alone: the bar, the pager, the refresh button
        results = await _results(page, q, at)
        return page.render("incidents/_table.html", **_table_context(q, at, filter_id, results))
    results, filters, (builder, builder_detail) = await asyncio.gather(
        _results(page, q, at), _saved_filters(page), _builder_from_text(page, q)
    )
    return page.render(
        "incidents/list.html",
        **_table_context(q, at, filter_id, results),
        **_builder_context(builder, builder_detail, is_open=view == "builder"),
        filters=filters,
        current_filter=filter_id,
        save=_save_context(page, q),
    )


@router.get("/incidents/complete", response_class=HTMLResponse)
async def complete(
    page: PageDep, q: Annotated[str, Query(max_length=2000)] = "", cursor: str = ""
) -> HTMLResponse:
    """What may come at the cursor, as options of the bar's list box."""
    position = len(q) if not cursor.isdigit() else min(int(cursor), len(q))
    found = await page.backend.tickets.get(
        "/api/v1/query/complete", params={"q": q, "cursor": position, "entity": "incident"}
    )
    options = []
    for item in found[:MAX_SUGGESTIONS]:
        start, end, text = int(item["start"]), int(item["end"]), str(item["text"])
        rest = q[end:]
        spaced = item["kind"] in SPACED_KINDS and not rest.startswith(" ") and text != "("
        inserted = text + (" " if spaced else "")
        options.append(
            {
                "kind": item["kind"],
                "text": text,
                "label": suggestion_label(page, str(item.get("label") or "")),
                "value": q[:start] + inserted + rest,
                "cursor": start + len(inserted),
            }
        )
    return page.render("incidents/_suggestions.html", options=options)


@router.get("/incidents/builder", response_class=HTMLResponse)
async def edit_in_builder(page: PageDep, q: Annotated[str, Query()] = "") -> Response:
    """The text in the bar as builder rows ("edit in builder")."""
    if not page.htmx:
        return RedirectResponse(url("/incidents", q=q, view="builder"), 303)
    builder, detail = await _builder_from_text(page, q)
    return page.render("incidents/_builder.html", **_builder_context(builder, detail))


@router.post("/incidents/builder", response_class=HTMLResponse)
async def builder_posted(
    page: PageDep,
    action: FormText = "apply",
    join: FormText = "and",
    field: FormList = [],  # noqa: B006 - FastAPI copies form defaults
    op: FormList = [],  # noqa: B006
    value: FormList = [],  # noqa: B006
    sort_field: FormList = [],  # noqa: B006
    sort_direction: FormList = [],  # noqa: B006
    group_by: FormText = "",
) -> Response:
    """Adds or removes a row, or renders the rows as text into the bar and runs it."""
    builder = query_builder.from_form(join, field, op, value, sort_field, sort_direction, group_by)
    if action != "apply":
        _edit_rows(builder, action)
        return await _builder_page(page, builder)
    errors = query_builder.row_errors(builder)
    if errors:
        return await _builder_page(page, builder, errors=errors, status=422)
    try:
        rendered = await page.backend.tickets.post(
            "/api/v1/query/render", json=query_builder.to_model(builder)
        )
    except BackendError as refused:
        if refused.status not in (400, 422):
            raise
        detail = query_problem(refused, "").detail
        return await _builder_page(page, builder, detail=detail, status=422)
    text = str(rendered["text"])
    if not page.htmx:
        return RedirectResponse(list_url(text), 303)
    results = await _results(page, text, 1)
    table = _table_context(text, 1, "", results) | {"oob": True}
    canonical = query_builder.from_model(rendered["query"])
    return page.render(
        "incidents/_builder_applied.html",
        headers={"HX-Push-Url": list_url(text)},
        **_builder_context(canonical),
        **table,
    )


def _edit_rows(builder: Builder, action: str) -> None:
    if action == "add-row" and len(builder.rows) < query_builder.MAX_ROWS:
        builder.rows.append(query_builder.Row())
    elif action == "add-sort" and len(builder.sorts) < query_builder.MAX_ROWS:
        builder.sorts.append(query_builder.Sort())
    elif action.startswith("remove-row-"):
        index = positive_int(action.removeprefix("remove-row-"), 0) - 1
        if 0 <= index < len(builder.rows):
            del builder.rows[index]
    elif action.startswith("remove-sort-"):
        index = positive_int(action.removeprefix("remove-sort-"), 0) - 1
        if 0 <= index < len(builder.sorts):
            del builder.sorts[index]


async def _builder_page(
    page: Page,
    builder: Builder,
    *,
    detail: str = "",
    errors: dict[int, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The builder again: alone for htmx, else the whole page with the builder open."""
    context = _builder_context(builder, detail, errors)
    if page.htmx:
        return page.render("incidents/_builder.html", status=status, **context)
    results, filters = await asyncio.gather(_results(page, "", 1), _saved_filters(page))
    return page.render(
        "incidents/list.html",
        status=status,
        **_table_context("", 1, "", results),
        **context,
        filters=filters,
        current_filter="",
        save=_save_context(page, ""),
    )


# --- saved filters ---------------------------------------------------------------------------


@router.get("/incidents/saved-filters", response_class=HTMLResponse)
async def saved_filter_counts(page: PageDep, current: str = "") -> Response:
    """The sidebar's filters with how many incidents each matches now (loaded after the page:
    counting takes longer than the rest)."""
    if not page.htmx:
        return RedirectResponse("/incidents", 303)
    if not page.user.has_any_role("agent"):
        return page.render("incidents/_filters.html", filters=[], counts={}, current_filter="")
    filters, counts = await asyncio.gather(
        _saved_filters(page), page.backend.tickets.get("/api/v1/filters/counts")
    )
    by_id = {c["id"]: c for c in counts}
    return page.render(
        "incidents/_filters.html", filters=filters or [], counts=by_id, current_filter=current
    )


def _save_context(
    page: Page,
    q: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    detail: str = "",
    is_open: bool = False,
) -> dict[str, Any]:
    return {
        "q": q,
        "form": form or {"name": "", "scope": "private", "scope_group": ""},
        "errors": errors or {},
        "detail": detail,
        "open": is_open,
        "scopes": SCOPES,
        "groups": page.user.groups,
        "allowed": page.user.has_any_role("agent"),
    }


@router.post("/incidents/filters", response_class=HTMLResponse)
async def save_filter(
    page: PageDep,
    q: FormText = "",
    name: FormText = "",
    scope: FormText = "private",
    scope_group: FormText = "",
) -> Response:
    """Saves the bar's query as a filter: private, for one of the user's groups, or everyone."""
    form = {"name": name, "scope": scope, "scope_group": scope_group}
    body = {
        "name": name,
        "entity": "incident",
        "query": q,
        "scope": scope,
        "scope_group": (scope_group or None) if scope == "group" else None,
    }
    try:
        saved = await page.backend.tickets.post("/api/v1/filters", json=body)
    except BackendError as refused:
        if refused.status not in (400, 409, 422):
            raise
        problem: QueryProblem | None = query_problem(refused, q) if refused.status == 400 else None
        errors = refused.field_errors
        if refused.status == 409 and not errors:
            errors = {"name": refused.detail}
        detail = problem.detail if problem else refused.detail
        context = _save_context(page, q, form, errors, detail, is_open=True)
        if page.htmx:
            return page.render("incidents/_save_filter.html", status=422, save=context)
        results, filters, (builder, _) = await asyncio.gather(
            _results(page, q, 1), _saved_filters(page), _builder_from_text(page, q)
        )
        return page.render(
            "incidents/list.html",
            status=422,
            **_table_context(q, 1, "", results),
            **_builder_context(builder, is_open=False),
            filters=filters,
            current_filter="",
            save=context,
        )
    return page.redirect(list_url(str(saved["query"]), filter_id=str(saved["id"])))
