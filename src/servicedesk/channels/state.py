"""What the channels service holds for its lifetime, in one typed container (kernel/state.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from servicedesk.channels.botapi import TelegramBot
from servicedesk.channels.intake.queue import InboxWorkers
from servicedesk.channels.intake.tickets import TicketsGateway
from servicedesk.channels.outbound.sender import Sender
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.channels.sms.port import SmsProvider
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import Holder, service_state


@dataclass(eq=False, slots=True)
class ChannelsState:
    settings: ChannelsSettings
    tickets: TicketsGateway
    tickets_client: ServiceClient
    migration: ServiceClient
    directory: RealmDirectory
    inbox: InboxWorkers
    sender: Sender
    telegram: TelegramBot | None
    sms: dict[str, SmsProvider]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def channels_state(holder: Holder) -> ChannelsState:
    return service_state(holder, ChannelsState)


def _state(connection: HTTPConnection) -> ChannelsState:
    return channels_state(connection)


ChannelsStateDep = Annotated[ChannelsState, Depends(_state)]
