"""What the ticket rules work with: the policy, the workflows and the outside directories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fastapi import Request

from servicedesk.tickets.policy import TicketPolicy
from servicedesk.tickets.references import References
from servicedesk.tickets.workflow import Workflow


class DirectoryUserView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def roles(self) -> frozenset[str]: ...


class DirectoryGroupView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


class Directory(Protocol):
    async def get_user(self, user_id: str) -> DirectoryUserView | None: ...

    async def get_group(self, group_id: str) -> DirectoryGroupView | None: ...


@dataclass(frozen=True)
class Desk:
    policy: TicketPolicy
    workflows: dict[str, Workflow]
    references: References
    directory: Directory

    @property
    def incident_flow(self) -> Workflow:
        return self.workflows["incident"]

    @property
    def problem_flow(self) -> Workflow:
        return self.workflows["problem"]


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk
