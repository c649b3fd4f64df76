"""Boards: the user's boards (with "My work", made on first use), a kanban board's columns and
cards, a list board's rows, a dashboard's link, and a form to create a board.

A card moves with the same form whether it is dragged (static/boards.js, SortableJS) or sent
from its "move to" select with the keyboard or without JavaScript. The tickets service decides:
409 (no such transition) and 403 (role missing) are refusals shown with their reason; 422 with
`fields.*` errors asks for those fields (a resolution…), then the move is sent again with them.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page
from servicedesk.web.pages.records_access import AgentPageDep, all_of

router = APIRouter(tags=["pages"], include_in_schema=False)

BOARDS_API = "/api/v1/boards"
GROUPS_API = "/api/v1/directory/groups"
KINDS = ("kanban", "list", "dashboard")
ENTITIES = ("incident", "problem")
SCOPES = ("private", "group", "everyone")
COLUMN_FIELDS = ("status", "priority", "category", "assignee", "group", "channel")
TRANSLATED_FIELDS = ("status", "priority")  # their values have texts of their own
NO_VALUE = "none"  # the column of cards with no assignee or group
LIST_PAGE = 50
FIELD_NAME = re.compile(r"^[a-z_]{1,32}$")
FIELD_PREFIX = "field_"  # form fields the move's transition needs: field_resolution …
REFUSED = frozenset({403, 404, 409})
LAYOUT_FIELDS = {"layout.url": "url", "layout.column_field": "column_field"}
DEFAULT_BOARD_NAME = "My work"


def _in_language(label: str, lang: str) -> str:
    """The vocabularies label a value "English / Русский": the reader's half."""
    parts = [p.strip() for p in label.split(" / ")]
    if len(parts) == 2 and all(parts):
        return parts[1] if lang == "ru" else parts[0]
    return label


def column_label(page: Page, field: str, value: str, label: str | None = None) -> str:
    if value == NO_VALUE and field in ("assignee", "group"):
        return page.t("boards.no_value")
    fallback = _in_language(label or value, page.lang)
    if field in TRANSLATED_FIELDS:
        return page.t(f"{field}.{value}", default=fallback)
    return fallback


def board_title(page: Page, board: dict[str, Any]) -> str:
    if board.get("is_default") and board.get("name") == DEFAULT_BOARD_NAME:
        return page.t("boards.my_work")
    return str(board.get("name", ""))


def _titled(page: Page, boards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**b, "title": board_title(page, b)} for b in boards]


async def _share_groups(page: Page) -> list[str]:
    """The groups the user may share a board with: their own; an admin any of the directory."""
    if page.user.has_any_role("admin"):
        try:
            found = await page.backend.tickets.get(GROUPS_API)
        except BackendError:
            found = []
        return sorted({str(g["name"]) for g in found} | set(page.user.groups))
    return sorted(page.user.groups)


# --- the list of boards and the create form -------------------------------------------------


def _empty_form() -> dict[str, str]:
    return {
        "name": "",
        "kind": "kanban",
        "entity": "incident",
        "query": "",
        "column_field": "status",
        "url": "",
        "scope": "private",
        "scope_group": "",
    }


async def _boards_page(
    page: Page,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    boards, groups = await all_of(page.backend.tickets.get(BOARDS_API), _share_groups(page))
    return page.render(
        "boards/list.html",
        status=status,
        boards=_titled(page, boards),
        groups=groups,
        form=form or _empty_form(),
        errors=errors or {},
        detail=detail,
        kinds=KINDS,
        entities=ENTITIES,
        scopes=SCOPES,
        column_fields=COLUMN_FIELDS,
    )


@router.get("/boards", response_class=HTMLResponse)
async def boards_list(page: AgentPageDep) -> HTMLResponse:
    return await _boards_page(page)


def board_request(form: dict[str, str]) -> dict[str, Any]:
    """What POST /api/v1/boards takes, from the create form."""
    kind = form["kind"]
    body: dict[str, Any] = {"name": form["name"], "kind": kind, "entity": form["entity"]}
    if kind == "dashboard":
        body["layout"] = {"url": form["url"]}
    else:
        body["query"] = form["query"]
        if kind == "kanban":
            body["layout"] = {"column_field": form["column_field"]}
    body["scope"] = form["scope"]
    if form["scope"] == "group":
        body["scope_group"] = form["scope_group"] or None
    return body


@router.post("/boards", response_class=HTMLResponse)
async def create_board(
    page: AgentPageDep,
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "kanban",
    entity: Annotated[str, Form(max_length=20)] = "incident",
    query: Annotated[str, Form(max_length=2000)] = "",
    column_field: Annotated[str, Form(max_length=20)] = "status",
    url: Annotated[str, Form(max_length=500)] = "",
    scope: Annotated[str, Form(max_length=20)] = "private",
    scope_group: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {
        "name": name,
        "kind": kind,
        "entity": entity,
        "query": query,
        "column_field": column_field,
        "url": url,
        "scope": scope,
        "scope_group": scope_group,
    }
    try:
        created = await page.backend.tickets.post(BOARDS_API, json=board_request(form))
    except BackendError as refused:
        if refused.status not in (400, 409, 422):
            raise
        errors = {LAYOUT_FIELDS.get(k, k): v for k, v in refused.field_errors.items()}
        if refused.code == "invalid-query":
            errors["query"] = refused.detail
        return await _boards_page(page, form=form, errors=errors, detail=refused.detail, status=422)
    return page.redirect(f"/boards/{created['id']}")


# --- one board ------------------------------------------------------------------------------


def _columns(page: Page, field: str, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "value": str(c["value"]),
            "label": column_label(page, field, str(c["value"]), c.get("label")),
            "total": c.get("total", 0),
            "capped": c.get("capped", False),
            "cards": c.get("cards", []),
        }
        for c in raw
    ]


async def _board_page(
    page: Page,
    board_id: uuid.UUID,
    *,
    offset: int = 0,
    notice: str = "",
    alert: str = "",
    status: int = 200,
    moved: tuple[str, str] | None = None,
) -> HTMLResponse:
    """The board with its cards; `moved` (card, column) says what the last move did."""
    path = f"{BOARDS_API}/{board_id}"
    board, contents, boards = await all_of(
        page.backend.tickets.get(path),
        page.backend.tickets.get(f"{path}/cards", params={"limit": LIST_PAGE, "offset": offset}),
        page.backend.tickets.get(BOARDS_API),
    )
    field = str(board.get("layout", {}).get("column_field") or "status")
    columns = (
        _columns(page, field, contents.get("columns") or []) if board["kind"] == "kanban" else []
    )
    if moved is not None:
        card, value = moved
        label = next((c["label"] for c in columns if c["value"] == value), value)
        notice = page.t("boards.moved", card=card, column=label)
    return page.render(
        "boards/board.html",
        status=status,
        board={**board, "title": board_title(page, board)},
        boards=_titled(page, boards),
        contents=contents,
        columns=columns,
        options=[{"value": c["value"], "label": c["label"]} for c in columns],
        column_field=field,
        offset=offset,
        page_size=LIST_PAGE,
        notice=notice,
        alert=alert,
    )


@router.get("/boards/{board_id}", response_class=HTMLResponse)
async def board_view(
    page: AgentPageDep,
    board_id: uuid.UUID,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    moved: Annotated[str | None, Query(max_length=64)] = None,
    to: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    done = (moved, to) if moved and to else None
    return await _board_page(page, board_id, offset=offset, moved=done)


# --- moving a card --------------------------------------------------------------------------


def _needed_fields(refused: BackendError) -> list[str]:
    """The fields a 422 says the transition needs (`fields.resolution` …)."""
    names = []
    for error in refused.errors:
        name = str(error.get("field", ""))
        if name.startswith("fields.") and FIELD_NAME.match(name.removeprefix("fields.")):
            names.append(name.removeprefix("fields."))
    return names


@router.post("/boards/{board_id}/moves", response_class=HTMLResponse)
async def move_card(page: AgentPageDep, board_id: uuid.UUID) -> Response:
    """Moves a card (`card`, `to_column`, and `field_<name>` for what the transition needs).

    htmx-style requests (boards.js sends HX-Request) get a fragment: the moved card (200), the
    reason of a refusal (403/404/409), or the form asking for the fields (422). A plain form
    post gets the board again, or the page with that form."""
    async with page.request.form(max_files=0, max_fields=20) as sent:
        card = str(sent.get("card") or "")[:64]
        to_column = str(sent.get("to_column") or "")[:100]
        from_column = str(sent.get("from_column") or "")[:100]
        fields = {
            key.removeprefix(FIELD_PREFIX): str(value)[:20_000]
            for key, value in sent.multi_items()
            if key.startswith(FIELD_PREFIX)
            and FIELD_NAME.match(key.removeprefix(FIELD_PREFIX))
            and str(value).strip()
        }
    move = {"card": card, "to_column": to_column, "fields": fields}
    path = f"{BOARDS_API}/{board_id}"
    try:
        moved, board = await all_of(
            page.backend.tickets.post(f"{path}/moves", json=move),
            page.backend.tickets.get(path),
        )
    except BackendError as refused:
        needed = _needed_fields(refused) if refused.status == 422 else []
        if needed:
            return _ask_for_fields(page, board_id, card, from_column, to_column, fields, needed)
        if refused.status not in REFUSED and refused.status != 422:
            raise
        reason = page.t("boards.move_refused", card=card, reason=refusal_reason(page, refused))
        if page.htmx:
            return page.render(
                "boards/_move_result.html",
                status=refused.status,
                outcome="refused",
                message=reason,
                card=None,
            )
        return await _board_page(page, board_id, alert=reason, status=refused.status)
    if not page.htmx:
        return page.redirect(f"/boards/{board_id}?{urlencode({'moved': card, 'to': to_column})}")
    field = str(board.get("layout", {}).get("column_field") or "status")
    label = column_label(page, field, to_column)
    options = [{"value": o, "label": column_label(page, field, o)} for o in _known_columns(board)]
    return page.render(
        "boards/_move_result.html",
        outcome="moved",
        message=page.t("boards.moved", card=moved.get("key", card), column=label),
        card=moved,
        column=to_column,
        board={**board, "title": board_title(page, board)},
        options=options,
    )


def refusal_reason(page: Page, refused: BackendError) -> str:
    """Why the tickets service refused, in the reader's language when the problem says enough
    (the workflow has no such transition, a role is missing); else its own detail."""
    problem: dict[str, Any] = getattr(refused, "problem", None) or {}
    source, target = problem.get("from_status"), problem.get("to_status")
    if refused.code == "move-refused" and source and target:
        return page.t(
            "boards.no_transition",
            source=column_label(page, "status", str(source)),
            target=column_label(page, "status", str(target)),
        )
    roles = problem.get("required_roles")
    if refused.code == "move-forbidden" and isinstance(roles, list) and roles:
        return page.t("boards.role_needed", roles=", ".join(str(r) for r in roles))
    return refused.detail


def _known_columns(board: dict[str, Any]) -> list[str]:
    columns = board.get("layout", {}).get("columns") or []
    return [str(c) for c in columns]


def _ask_for_fields(
    page: Page,
    board_id: uuid.UUID,
    card: str,
    from_column: str,
    to_column: str,
    fields: dict[str, str],
    needed: list[str],
) -> HTMLResponse:
    context: dict[str, Any] = {
        "board_id": board_id,
        "card_ref": card,
        "from_column": from_column,
        "to_column": to_column,
        "to_label": column_label(page, "status", to_column),
        "needed": needed,
        "values": fields,
    }
    template = "boards/_move_fields.html" if page.htmx else "boards/move.html"
    return page.render(template, status=422, **context)
