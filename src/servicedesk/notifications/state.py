"""What the notifications service holds for its lifetime, in one typed container."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import Holder, service_state
from servicedesk.notifications.decide.decider import Decider
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.deliver.dispatcher import Dispatcher
from servicedesk.notifications.deliver.summary import DailySummaries
from servicedesk.notifications.live.hub import LiveHub
from servicedesk.notifications.people import Directory
from servicedesk.notifications.policy import Policy
from servicedesk.notifications.settings import NotificationsSettings


@dataclass(eq=False, slots=True)
class NotificationsState:
    settings: NotificationsSettings
    policy: Policy
    directory: Directory
    store: PreferenceStore
    decider: Decider
    dispatcher: Dispatcher
    summaries: DailySummaries
    hub: LiveHub
    tickets: ServiceClient
    channels: ServiceClient
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def notifications_state(holder: Holder) -> NotificationsState:
    return service_state(holder, NotificationsState)


def _state(connection: HTTPConnection) -> NotificationsState:
    return notifications_state(connection)


NotificationsStateDep = Annotated[NotificationsState, Depends(_state)]
