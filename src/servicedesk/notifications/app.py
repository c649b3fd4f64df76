"""The notifications service's application factory, run by uvicorn with --factory.

It decides who hears of each change of an incident or a problem (a consumer of the tickets'
events), keeps everyone's in-app notifications and preferences, streams news to open consoles,
and sends mail (SMTP) and Telegram/SMS messages (through the channels service) when they are due.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from servicedesk.kernel.app import LifecycleHook, ServiceSpec, create_service_app
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.kernel.tasks import cancel_all
from servicedesk.notifications.api.notifications import router as notifications_router
from servicedesk.notifications.api.preferences import router as preferences_router
from servicedesk.notifications.api.stream import router as stream_router
from servicedesk.notifications.api.unsubscribe import router as unsubscribe_router
from servicedesk.notifications.api.watch import router as watch_router
from servicedesk.notifications.consumer import DECISIONS, HANDLER, catch_up_once
from servicedesk.notifications.decide.decider import Decider, utc_now
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.deliver.dispatcher import Dispatcher
from servicedesk.notifications.deliver.outlets import ChannelsOutlet, IncidentNotes, MailOutlet
from servicedesk.notifications.deliver.summary import DailySummaries
from servicedesk.notifications.live.hub import LiveHub
from servicedesk.notifications.models import outbox
from servicedesk.notifications.people import Directory
from servicedesk.notifications.policy import load_policy
from servicedesk.notifications.settings import NotificationsSettings
from servicedesk.notifications.state import NotificationsState, notifications_state

STOP_GRACE_S = 5.0  # how long a stop waits for the batch being sent to be recorded


def _open(settings: NotificationsSettings) -> LifecycleHook:
    policy = load_policy(settings.policy_file)  # a bad file stops the start, here

    async def open_notifications(app: FastAPI) -> None:
        kernel = kernel_state(app)
        database = kernel.require_database()
        credentials = ClientCredentials(settings.keycloak, kernel.http)
        keycloak = ServiceClient("keycloak", settings.keycloak.url, auth=credentials)
        tickets = ServiceClient("tickets", settings.tickets_url, auth=credentials)
        channels = ServiceClient("channels", settings.channels_url, auth=credentials)
        directory = Directory(keycloak, settings.keycloak.realm, settings.directory_refresh_s)
        store = PreferenceStore(policy, settings.default_timezone)
        decider = Decider(
            directory,
            policy,
            store,
            default_locale=settings.default_locale,
            digest_idle_s=settings.digest_idle_s,
            digest_max_wait_s=settings.digest_max_wait_s,
            stale_after_s=settings.stale_after_s,
            own_account=f"service-account-{settings.keycloak.client_id}",
        )
        dispatcher = Dispatcher(
            database,
            directory,
            store,
            settings,
            MailOutlet(settings.mail),
            ChannelsOutlet(channels),
            IncidentNotes(tickets),
            utc_now,
        )
        summaries = DailySummaries(
            database, directory, store, settings, MailOutlet(settings.mail), utc_now
        )
        hub = LiveHub(database.primary)
        state = NotificationsState(
            settings=settings,
            policy=policy,
            directory=directory,
            store=store,
            decider=decider,
            dispatcher=dispatcher,
            summaries=summaries,
            hub=hub,
            tickets=tickets,
            channels=channels,
        )
        set_service_state(app, state)
        HANDLER.bind(decider)
        state.tasks.append(asyncio.create_task(directory.run_forever(), name="directory"))
        state.tasks.append(asyncio.create_task(dispatcher.run_forever(), name="dispatcher"))
        state.tasks.append(asyncio.create_task(summaries.run_forever(), name="summaries"))
        state.tasks.append(asyncio.create_task(hub.run_forever(), name="live"))
        if settings.replay_on_first_start:
            broker = settings.broker
            catch_up = catch_up_once(database, broker.url.get_secret_value(), broker.exchange)
            state.tasks.append(asyncio.create_task(catch_up, name="catch-up"))

    return open_notifications


async def _close(app: FastAPI) -> None:
    state = notifications_state(app)
    state.dispatcher.stop()  # the batch in hand is sent and recorded, not cut in half
    sending = [task for task in state.tasks if task.get_name() == "dispatcher"]
    if sending:
        await asyncio.wait(sending, timeout=STOP_GRACE_S)
    await cancel_all(state.tasks)
    for client in (state.tickets, state.channels, state.directory.keycloak):
        await client.aclose()


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    return create_service_app(
        ServiceSpec(
            name="notifications",
            title="servicedesk notifications: who hears of what, where and when",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            subscriptions=[DECISIONS],
            routers=[
                notifications_router,
                stream_router,
                preferences_router,
                watch_router,
                unsubscribe_router,
            ],
            on_startup=[_open(settings)],
            on_shutdown=[_close],
        )
    )
