"""What the SMS fake holds in memory, in one typed container (kernel/state.py)."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends
from starlette.requests import HTTPConnection

from servicedesk.fakes.sms.delivery import CallbackDeliverer, DeliveryPolicy
from servicedesk.fakes.sms.messages import (
    PROVIDERS,
    Callback,
    CallbackAttempt,
    CallbackState,
    FakeMessage,
    Faults,
    Provider,
)
from servicedesk.fakes.sms.settings import SmsFakeSettings
from servicedesk.kernel.state import Holder, service_state


def _fresh_faults() -> dict[Provider, Faults]:
    return {provider: Faults() for provider in PROVIDERS}


@dataclass(eq=False, slots=True)
class SmsFakeState:
    """Every message both ways, the callbacks in flight and their attempts, the fault knobs."""

    settings: SmsFakeSettings
    http: httpx.AsyncClient
    messages: dict[tuple[Provider, str], FakeMessage] = field(default_factory=dict)
    faults: dict[Provider, Faults] = field(default_factory=_fresh_faults)
    attempts: deque[CallbackAttempt] = field(init=False)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    balance: float = field(init=False)
    deliverer: CallbackDeliverer = field(init=False)
    _smsru_prefix: str = field(init=False)
    _smsru_serial: itertools.count[int] = field(init=False)

    def __post_init__(self) -> None:
        self.attempts = deque(maxlen=self.settings.callbacks_kept)
        self.balance = self.settings.smsru_balance
        policy = DeliveryPolicy(
            backoff_start_s=self.settings.callback_backoff_start_s,
            backoff_cap_s=self.settings.callback_backoff_cap_s,
            give_up_s=self.settings.callback_give_up_s,
            timeout_s=self.settings.callback_timeout_s,
        )
        self.deliverer = CallbackDeliverer(self.http, policy, self.attempts.append)
        self._smsru_prefix = f"{random.randrange(100000, 999999)}"  # noqa: S311 - not a secret
        self._smsru_serial = itertools.count(1000001)

    def next_smsru_id(self) -> str:
        """SMS.ru's ids look like `201734-1000007`."""
        return f"{self._smsru_prefix}-{next(self._smsru_serial)}"

    def add(self, message: FakeMessage) -> None:
        self.messages[(message.provider, message.message_id)] = message

    def find(self, provider: Provider, message_id: str) -> FakeMessage | None:
        return self.messages.get((provider, message_id))

    def conversation(self, phone: str) -> list[FakeMessage]:
        """Both directions with this phone, oldest first."""
        found = [message for message in self.messages.values() if message.phone == phone]
        return sorted(found, key=lambda message: message.created_at)

    def take_failure(self, provider: Provider) -> bool:
        """True when a `fail_next` fault is armed for this provider (and uses one up)."""
        faults = self.faults[provider]
        if faults.fail_next <= 0:
            return False
        faults.fail_next -= 1
        return True

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def send(self, message: FakeMessage, callback: Callback) -> None:
        """Delivers a callback about `message` in the background, and keeps it for replays."""
        message.last_callback = callback

        def report(state: CallbackState) -> None:
            if message.last_callback is callback:
                message.callback_state = state

        report("pending")
        self.spawn(self.deliverer.deliver(callback, report))

    async def stop(self) -> None:
        """Cancels every status change and callback in flight."""
        running = list(self.tasks)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def reset(self) -> None:
        """Forgets every message, callback attempt and fault."""
        await self.stop()
        self.messages.clear()
        self.attempts.clear()
        self.faults = _fresh_faults()
        self.balance = self.settings.smsru_balance


def sms_fake_state(holder: Holder) -> SmsFakeState:
    return service_state(holder, SmsFakeState)


def _state(connection: HTTPConnection) -> SmsFakeState:
    return sms_fake_state(connection)


SmsFakeStateDep = Annotated[SmsFakeState, Depends(_state)]
