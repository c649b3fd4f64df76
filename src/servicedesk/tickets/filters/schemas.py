"""What the saved-filter endpoints accept and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from servicedesk.tickets.fields import GroupName, Input, ItemName, QueryText
from servicedesk.tickets.query import Entity
from servicedesk.tickets.sharing import Scope


class FilterCreate(Input):
    name: ItemName
    entity: Entity = "incident"
    query: QueryText
    scope: Scope = Scope.PRIVATE
    scope_group: GroupName | None = None


class FilterPatch(Input):
    name: ItemName | None = None
    query: QueryText | None = None
    scope: Scope | None = None
    scope_group: GroupName | None = None


class FilterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_id: str
    owner_username: str
    name: str
    entity: str
    query: str
    scope: str
    scope_group: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    editable: bool = False


class FilterCount(BaseModel):
    id: uuid.UUID
    name: str
    count: int
    capped: bool
