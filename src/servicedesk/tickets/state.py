"""What the tickets service holds for its lifetime, in one typed container (kernel/state.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import Holder, service_state
from servicedesk.tickets.attachments.store import AttachmentStore
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.directory.repository import KeycloakDirectory


@dataclass(eq=False, slots=True)
class TicketsState:
    desk: Desk
    directory: KeycloakDirectory
    attachment_store: AttachmentStore
    attachment_max_bytes: int
    migration: ServiceClient
    sla_watch: asyncio.Task[None]


def tickets_state(holder: Holder) -> TicketsState:
    return service_state(holder, TicketsState)


def _state(connection: HTTPConnection) -> TicketsState:
    return tickets_state(connection)


TicketsStateDep = Annotated[TicketsState, Depends(_state)]


def _desk(connection: HTTPConnection) -> Desk:
    return tickets_state(connection).desk


DeskDep = Annotated[Desk, Depends(_desk)]


def _directory(connection: HTTPConnection) -> KeycloakDirectory:
    return tickets_state(connection).directory


DirectoryDep = Annotated[KeycloakDirectory, Depends(_directory)]
