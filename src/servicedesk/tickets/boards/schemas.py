"""What the board endpoints accept and answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from servicedesk.kernel.i18n import _t
from servicedesk.tickets.fields import (
    ONE_LINE,
    GroupName,
    Input,
    ItemName,
    Multiline,
    OneLine,
    QueryText,
)
from servicedesk.tickets.query import Entity
from servicedesk.tickets.sharing import Scope

# A column is a value of the column's field: stored in JSON, so no control characters (NUL).
ColumnValue = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=ONE_LINE)]
LIST_COLUMNS = (
    "key",
    "title",
    "status",
    "priority",
    "category",
    "assignee",
    "group",
    "reporter",
    "client",
    "order",
    "channel",
    "created",
    "updated",
    "sla_breached",
    "problem",
)


class BoardKind(StrEnum):
    KANBAN = "kanban"
    LIST = "list"
    DASHBOARD = "dashboard"


class KanbanLayout(Input):
    """Columns are the values of a field; by default the workflow's states, in order."""

    column_field: Literal["status", "priority", "category", "assignee", "group", "channel"] = (
        "status"
    )
    columns: list[ColumnValue] = Field(default_factory=list, max_length=30)
    cards_per_column: int = Field(default=50, ge=1, le=200)


class ListLayout(Input):
    columns: list[Literal[LIST_COLUMNS]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["key", "title", "status", "priority", "assignee", "updated"],
        min_length=1,
        max_length=len(LIST_COLUMNS),
    )


class DashboardLayout(Input):
    url: Annotated[
        str,
        StringConstraints(
            min_length=1, max_length=500, pattern=r"^(https?://|/)[^\s\x00-\x1f\x7f]+$"
        ),
    ]


class BoardCreate(Input):
    name: ItemName
    kind: BoardKind
    entity: Entity = "incident"
    query: QueryText | None = None
    filter_id: uuid.UUID | None = None
    layout: dict[str, Any] = Field(default_factory=dict)
    scope: Scope = Scope.PRIVATE
    scope_group: GroupName | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BoardCreate:
        if self.query is not None and self.filter_id is not None:
            raise ValueError(_t("give the cards' query or a saved filter, not both"))
        return self


class BoardPatch(Input):
    name: ItemName | None = None
    query: QueryText | None = None
    filter_id: uuid.UUID | None = None
    layout: dict[str, Any] | None = None
    scope: Scope | None = None
    scope_group: GroupName | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BoardPatch:
        if self.query is not None and self.filter_id is not None:
            raise ValueError(_t("give the cards' query or a saved filter, not both"))
        return self


class BoardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_id: str
    owner_username: str
    name: str
    kind: str
    entity: str
    query: str | None
    filter_id: uuid.UUID | None
    layout: dict[str, Any]
    scope: str
    scope_group: str | None
    is_default: bool
    version: int
    created_at: datetime
    updated_at: datetime
    editable: bool = False


class CardMove(Input):
    card: Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine] = Field(
        description="the incident's id or key"
    )
    to_column: Annotated[str, StringConstraints(min_length=1, max_length=100), OneLine]
    # What the transition's own request takes (TransitionRequest), checked here: a value it
    # would refuse is the caller's mistake (422), not an error of the move.
    fields: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")],
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), Multiline],
    ] = Field(default_factory=dict, max_length=8)
