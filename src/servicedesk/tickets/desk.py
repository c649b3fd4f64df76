"""What the ticket rules work with: the policy, the workflows and the outside directories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from servicedesk.tickets.policy import TicketPolicy
from servicedesk.tickets.query import Entity, Vocabulary
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

    async def find_user_by_username(self, username: str) -> DirectoryUserView | None: ...

    async def assignable_users(
        self, query: str | None = None, limit: int = 50
    ) -> Sequence[DirectoryUserView]: ...

    async def groups(self, query: str | None = None) -> Sequence[DirectoryGroupView]: ...


@dataclass(frozen=True)
class Desk:
    policy: TicketPolicy
    workflows: dict[str, Workflow]
    references: References
    directory: Directory
    vocabularies: dict[str, Vocabulary] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entities: tuple[Entity, ...] = ("incident", "problem")
        vocabularies = {e: Vocabulary.from_policy(self.policy, self.workflows, e) for e in entities}
        object.__setattr__(self, "vocabularies", vocabularies)

    @property
    def incident_flow(self) -> Workflow:
        return self.workflows["incident"]

    @property
    def problem_flow(self) -> Workflow:
        return self.workflows["problem"]
