"""What the Telegram fake holds in memory, in one typed container (kernel/state.py)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends
from starlette.requests import HTTPConnection

from servicedesk.fakes.telegram.bots import BotAccount, Webhook
from servicedesk.fakes.telegram.delivery import DeliveryPolicy, WebhookDeliverer
from servicedesk.fakes.telegram.errors import not_found, unauthorized
from servicedesk.fakes.telegram.settings import TelegramFakeSettings
from servicedesk.kernel.state import Holder, service_state

BOT_TOKEN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{35}$")


@dataclass(eq=False, slots=True)
class TelegramFakeState:
    """Every bot seen so far, and the webhook deliverers running for them."""

    settings: TelegramFakeSettings
    http: httpx.AsyncClient
    bots: dict[int, BotAccount] = field(default_factory=dict)
    deliverers: dict[int, WebhookDeliverer] = field(default_factory=dict)

    def bot(self, bot_id: int) -> BotAccount:
        """The bot with this id, made if it was never seen (the control API may come first)."""
        bot = self.bots.get(bot_id)
        if bot is None:
            bot = self.bots[bot_id] = BotAccount(
                id=bot_id,
                username=self.settings.bot_username,
                first_name=self.settings.bot_first_name,
                deliveries=deque(maxlen=self.settings.deliveries_kept),
            )
        return bot

    def bot_for_token(self, token: str) -> BotAccount:
        """A well-formed token is a bot; the first token seen for an id is its only one."""
        matched = BOT_TOKEN.match(token)
        if matched is None:
            raise not_found()
        bot = self.bot(int(matched.group(1)))
        if bot.token is None:
            bot.token = token
        elif bot.token != token:
            raise unauthorized()
        return bot

    @property
    def delivery_policy(self) -> DeliveryPolicy:
        return DeliveryPolicy(
            backoff_start_s=self.settings.delivery_backoff_start_s,
            backoff_cap_s=self.settings.delivery_backoff_cap_s,
            give_up_s=self.settings.delivery_give_up_s,
            timeout_s=self.settings.delivery_timeout_s,
        )

    async def set_webhook(self, bot: BotAccount, webhook: Webhook) -> None:
        await self.delete_webhook(bot)
        bot.webhook = webhook
        deliverer = self.deliverers[bot.id] = WebhookDeliverer(
            bot, webhook, self.http, self.delivery_policy
        )
        deliverer.start()

    async def delete_webhook(self, bot: BotAccount) -> None:
        bot.webhook = None
        deliverer = self.deliverers.pop(bot.id, None)
        if deliverer is not None:
            await deliverer.stop()
        bot.wake()  # a getUpdates waiting on the old state looks again

    async def reset(self) -> None:
        """Forgets every bot, chat, file and update; stops every delivery."""
        for bot in list(self.bots.values()):
            await self.delete_webhook(bot)
            bot.queue.clear()
            bot.wake()
        self.bots.clear()


def telegram_fake_state(holder: Holder) -> TelegramFakeState:
    return service_state(holder, TelegramFakeState)


def _state(connection: HTTPConnection) -> TelegramFakeState:
    return telegram_fake_state(connection)


TelegramFakeStateDep = Annotated[TelegramFakeState, Depends(_state)]
