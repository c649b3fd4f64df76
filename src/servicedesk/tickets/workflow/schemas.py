"""What the transition endpoints accept and answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from servicedesk.tickets.fields import Input, Multiline


class TransitionRequest(Input):
    transition: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    fields: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")],
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), Multiline],
    ] = Field(default_factory=dict, max_length=8)


class TransitionOut(BaseModel):
    id: str
    label: dict[str, str]
    target: str
    requires: list[str]
