"""The channels service's application factory, run by uvicorn with --factory.

It owns the conversations with people outside the console: Telegram (webhook or polling) and
SMS intake into the durable inbound queue, workers turning it into incidents and comments,
a consumer telling incidents' threads what happened, and the sender of every outbound message.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from servicedesk.channels.api.identities import router as identities_router
from servicedesk.channels.api.messages import router as messages_router
from servicedesk.channels.botapi import TelegramBot
from servicedesk.channels.conversations.events import THREADS
from servicedesk.channels.email_channel.wiring import wire_email
from servicedesk.channels.esb.wiring import start_esb
from servicedesk.channels.intake.desk import IntakeDesk
from servicedesk.channels.intake.queue import Handler, InboxWorkers
from servicedesk.channels.intake.tickets import TicketsGateway
from servicedesk.channels.models import outbox
from servicedesk.channels.outbound.ratelimit import SendRate
from servicedesk.channels.outbound.sender import Sender
from servicedesk.channels.outbound.transport import Transport
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import ChannelsSettings, TelegramMode
from servicedesk.channels.sms_channel.webhooks import router as sms_router
from servicedesk.channels.sms_channel.wiring import sms_handlers, sms_providers, sms_transport
from servicedesk.channels.state import ChannelsState, channels_state
from servicedesk.channels.telegram.commands import Commands
from servicedesk.channels.telegram.handler import TelegramIntake
from servicedesk.channels.telegram.polling import poll_forever
from servicedesk.channels.telegram.webhook import router as telegram_router
from servicedesk.kernel.app import LifecycleHook, ServiceSpec, create_service_app
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.kernel.tasks import cancel_all

log = logging.getLogger(__name__)


async def _register_webhook(bot: TelegramBot) -> None:
    """Tells the Bot API where to post updates; retried until it answers."""
    while True:
        try:
            await bot.register_webhook()
            log.info("telegram webhook registered", extra={"url": bot.settings.webhook_url})
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("telegram webhook registration failed; retrying", exc_info=True)
            await asyncio.sleep(5)


def _open(settings: ChannelsSettings) -> LifecycleHook:
    async def open_channels(app: FastAPI) -> None:
        kernel = kernel_state(app)
        database = kernel.require_database()
        credentials = ClientCredentials(settings.keycloak, kernel.http)
        tickets_client = ServiceClient("tickets", settings.tickets_url, auth=credentials)
        migration = ServiceClient("migration", settings.migration_url, auth=credentials)
        keycloak = ServiceClient("keycloak", settings.keycloak.url, auth=credentials)
        tickets = TicketsGateway(tickets_client)
        desk = IntakeDesk(
            tickets,
            category=settings.default_category,
            per_hour=settings.new_incidents_per_hour,
            recent_days=settings.recent_resolved_days,
        )
        directory = RealmDirectory(keycloak, settings.keycloak.realm)
        telegram = (
            TelegramBot(settings.telegram) if settings.telegram.mode != TelegramMode.OFF else None
        )
        providers = sms_providers(settings, kernel.http)
        handlers: dict[str, Handler] = dict(sms_handlers(desk, directory, settings, providers))
        transports: dict[str, Transport] = {}
        rates: dict[str, SendRate] = {}
        if telegram is not None:
            commands = Commands(desk, migration, settings.console_url)
            handlers["telegram"] = TelegramIntake(desk, telegram, commands).handle
            transports["telegram"] = telegram
            rates["telegram"] = SendRate(
                kernel.redis,
                "telegram",
                settings.telegram.messages_per_second,
                settings.telegram.chat_interval_s,
            )
        if providers:
            transports["sms"] = sms_transport(settings, providers)
        inbox = InboxWorkers(
            database,
            handlers,
            workers=settings.intake_workers,
            max_attempts=settings.intake_max_attempts,
            poll_interval_s=settings.poll_interval_s,
        )
        sender = Sender(database, transports, rates, poll_interval_s=settings.poll_interval_s)
        state = ChannelsState(
            settings=settings,
            tickets=tickets,
            tickets_client=tickets_client,
            migration=migration,
            directory=directory,
            inbox=inbox,
            sender=sender,
            telegram=telegram,
            sms=providers,
        )
        set_service_state(app, state)
        state.tasks.append(asyncio.create_task(inbox.run_forever(), name="inbox"))
        state.tasks.append(asyncio.create_task(sender.run_forever(), name="sender"))
        broker = settings.broker
        state.tasks += start_esb(
            broker.url.get_secret_value(), broker.exchange, database, tickets, settings.esb
        )
        state.tasks += wire_email(
            settings.email, database, desk, directory, handlers, transports, inbox
        )
        if telegram is not None and settings.telegram.mode == TelegramMode.WEBHOOK:
            state.tasks.append(asyncio.create_task(_register_webhook(telegram), name="webhook"))
        if telegram is not None and settings.telegram.mode == TelegramMode.POLLING:
            state.tasks.append(asyncio.create_task(poll_forever(state, database), name="poll"))

    return open_channels


async def _close(app: FastAPI) -> None:
    state = channels_state(app)
    await cancel_all(state.tasks)
    for client in (state.tickets_client, state.migration, state.directory.keycloak):
        await client.aclose()
    if state.telegram is not None:
        await state.telegram.close()


def create_app(settings: ChannelsSettings | None = None) -> FastAPI:
    settings = settings or ChannelsSettings()
    return create_service_app(
        ServiceSpec(
            name="channels",
            title="servicedesk channels: Telegram and SMS intake, conversations, messages out",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            subscriptions=[THREADS],
            routers=[telegram_router, sms_router, identities_router, messages_router],
            on_startup=[_open(settings)],
            on_shutdown=[_close],
        )
    )
