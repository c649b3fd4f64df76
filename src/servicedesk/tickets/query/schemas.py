"""What the query endpoints accept and answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from servicedesk.tickets.incidents.schemas import IncidentOut
from servicedesk.tickets.problems.schemas import ProblemOut
from servicedesk.tickets.query import Entity
from servicedesk.tickets.query import Query as QueryModel


class ParseRequest(BaseModel):
    text: str = Field(max_length=2000)
    entity: Entity = "incident"


class Parsed(BaseModel):
    text: str
    query: QueryModel


class Results(BaseModel):
    items: list[IncidentOut] | list[ProblemOut]
    total: int
    capped: bool
    groups: list[dict[str, Any]] | None = None


def result_items(rows: list[Any], entity: str) -> list[Any]:
    model = IncidentOut if entity == "incident" else ProblemOut
    return [model.model_validate(row) for row in rows]
