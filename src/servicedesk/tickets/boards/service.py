"""Boards bound to users: kanban, list and dashboard; the default "My work" board."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, FieldError, InvalidInput, NotFound, invalid_fields
from servicedesk.kernel.i18n import _t, current_language, joined
from servicedesk.kernel.i18n.validation import reason
from servicedesk.tickets.boards import repository
from servicedesk.tickets.boards.models import Board
from servicedesk.tickets.boards.schemas import (
    BoardCreate,
    BoardKind,
    BoardOut,
    BoardPatch,
    DashboardLayout,
    KanbanLayout,
    ListLayout,
)
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.filters import service as filters
from servicedesk.tickets.query import FIELDS, Entity, Query
from servicedesk.tickets.query import service as querying
from servicedesk.tickets.sharing import (
    Scope,
    check_scope,
    flush_unique_name,
    known_groups,
    may_change,
    may_use,
    require_change,
    rescope,
)

DEFAULT_BOARD_NAME = "My work"
DEFAULT_BOARD_QUERY = "assignee = me() order by priority desc, updated desc"
LAYOUTS: dict[BoardKind, type[BaseModel]] = {
    BoardKind.KANBAN: KanbanLayout,
    BoardKind.LIST: ListLayout,
    BoardKind.DASHBOARD: DashboardLayout,
}


class BoardNotFound(NotFound):
    code = "board-not-found"


class DefaultBoardKept(Conflict):
    code = "default-board-kept"


def layout_of(desk: Desk, kind: BoardKind, entity: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The layout checked for the board's kind, with its defaults filled in. A kanban's columns
    are values its field takes for the entity (labels become ids), so its cards can be shown."""
    try:
        layout = LAYOUTS[kind].model_validate(raw).model_dump(mode="json")
    except ValidationError as error:
        language = current_language()
        errors = [
            FieldError("layout." + ".".join(str(p) for p in e["loc"]), reason(e, language))
            for e in error.errors()
        ]
        raise _invalid_all(errors) from None
    if kind is BoardKind.KANBAN:
        layout["columns"] = _kanban_columns(desk, entity, layout)
    return layout


def _kanban_columns(desk: Desk, entity: str, layout: dict[str, Any]) -> list[str]:
    field = layout["column_field"]
    spec = FIELDS[entity].get(field)  # type: ignore[index]
    if spec is None or not spec.groupable:
        fields = [f.name for f in FIELDS[entity].values() if f.groupable]  # type: ignore[index]
        message = _t(
            "{entity}s have no columns of {field}; use {fields}",
            entity=entity,
            field=field,
            fields=", ".join(fields),
        )
        raise _invalid("layout.column_field", message)
    if spec.vocabulary is None:  # assignee, group: any name, or "none" for no one
        return list(layout["columns"])
    vocabulary = desk.vocabularies[entity]
    known = ", ".join(c.id for c in vocabulary.choices(spec.vocabulary))
    columns: list[str] = []
    errors: list[FieldError] = []
    for at, value in enumerate(layout["columns"]):
        found = vocabulary.resolve(spec.vocabulary, value)
        if found is None:
            unknown = _t(
                "unknown {field} {value!r}; known: {known}", field=field, value=value, known=known
            )
            errors.append(FieldError(f"layout.columns.{at}", unknown))
        else:
            columns.append(found)
    if errors:
        raise _invalid_all(errors)
    return columns


async def ensure_default(session: WriteSession, principal: Principal) -> None:
    """Every user's "My work" kanban of the incidents assigned to them, made on first use."""
    now = datetime.now(UTC)
    values = dict(
        id=uuid.uuid4(),
        owner_id=principal.subject,
        owner_username=principal.username,
        name=DEFAULT_BOARD_NAME,
        kind=BoardKind.KANBAN.value,
        entity="incident",
        query=DEFAULT_BOARD_QUERY,
        layout=KanbanLayout().model_dump(mode="json"),
        scope=Scope.PRIVATE.value,
        is_default=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await repository.add_once(session, values)


def out(board: Board, principal: Principal) -> BoardOut:
    answer = BoardOut.model_validate(board)
    answer.editable = may_change(principal, board)
    return answer


async def visible_boards(session: AnySession, principal: Principal) -> list[Board]:
    return await repository.visible(session, principal)


async def board_for(session: AnySession, board_id: uuid.UUID, principal: Principal) -> Board:
    board = await repository.by_id(session, board_id)
    if board is None or not may_use(principal, board):
        raise BoardNotFound(_t("board {board_id} does not exist", board_id=board_id))
    return board


async def _source(
    session: WriteSession,
    desk: Desk,
    kind: BoardKind,
    entity: Entity,
    query: str | None,
    filter_id: uuid.UUID | None,
    principal: Principal,
) -> str | None:
    if kind is BoardKind.DASHBOARD:
        return None
    if filter_id is not None:
        saved = await filters.filter_for(session, filter_id, principal)
        if saved.entity != entity:
            over = _t(
                "the filter is over {filter_entity}s, not {entity}s",
                filter_entity=saved.entity,
                entity=entity,
            )
            raise _invalid("filter_id", over)
        return None
    return querying.canonical_text(desk, query or "", entity)


async def create_board(
    session: WriteSession, desk: Desk, data: BoardCreate, principal: Principal
) -> Board:
    check_scope(
        principal, data.scope, data.scope_group, await known_groups(desk, principal, data.scope)
    )
    layout = layout_of(desk, data.kind, data.entity, data.layout)
    query = await _source(
        session, desk, data.kind, data.entity, data.query, data.filter_id, principal
    )
    now = datetime.now(UTC)
    board = Board(
        id=uuid.uuid4(),
        owner_id=principal.subject,
        owner_username=principal.username,
        name=data.name,
        kind=data.kind.value,
        entity=data.entity,
        query=query,
        filter_id=data.filter_id,
        layout=layout,
        scope=data.scope.value,
        scope_group=data.scope_group,
        is_default=False,
        version=1,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, board)
    await _flush_unique(session, board)
    return board


async def _flush_unique(session: WriteSession, board: Board) -> None:
    await flush_unique_name(session, Board, board, _t("board"))


async def update_board(
    session: WriteSession, desk: Desk, board_id: uuid.UUID, patch: BoardPatch, principal: Principal
) -> Board:
    board = await board_for(session, board_id, principal)
    require_change(principal, board, _t("board"))
    sent = patch.model_fields_set
    kind = BoardKind(board.kind)
    if "name" in sent and patch.name:
        board.name = patch.name
    if "layout" in sent and patch.layout is not None:
        board.layout = layout_of(desk, kind, board.entity, patch.layout)
    if sent & {"query", "filter_id"}:
        board.query = await _source(
            session,
            desk,
            kind,
            querying.entity_of(board.entity),
            patch.query,
            patch.filter_id,
            principal,
        )
        board.filter_id = patch.filter_id
    if sent & {"scope", "scope_group"}:
        await rescope(desk, principal, board, patch.scope, patch.scope_group, sent)
    board.version += 1
    board.updated_at = datetime.now(UTC)
    await _flush_unique(session, board)
    return board


async def delete_board(session: WriteSession, board_id: uuid.UUID, principal: Principal) -> None:
    board = await board_for(session, board_id, principal)
    require_change(principal, board, _t("board"))
    if board.is_default:
        raise DefaultBoardKept(_t("the default board stays; rename it or change its query instead"))
    await repository.delete(session, board)


async def keep_query_of_filter(session: WriteSession, filter_id: uuid.UUID, query: str) -> None:
    """The filter goes: boards over it keep its last query (rather than show everything)."""
    await repository.replace_filter(session, filter_id, query)


async def board_query_text(session: AnySession, board: Board) -> str:
    """The board's query, or its filter's. The board's scope says who sees its cards: a board
    shared over its owner's private filter shows the filter's cards to everyone in scope."""
    if board.filter_id is not None:
        query = await filters.query_of(session, board.filter_id)
        if query is not None:
            return query
    return board.query or ""


async def board_query(session: AnySession, desk: Desk, board: Board) -> Query:
    text = await board_query_text(session, board)
    return querying.parsed(desk, text, querying.entity_of(board.entity))


def _invalid(field: str, reason: str) -> InvalidInput:
    return _invalid_all([FieldError(field, reason)])


def _invalid_all(errors: list[FieldError]) -> InvalidInput:
    said = [_t("{field}: {reason}", field=e.field, reason=e.reason) for e in errors]
    return invalid_fields(joined(said, "; "), errors)
