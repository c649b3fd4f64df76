"""The channels service starts the ESB: run in-process, it consumes the commands queue and
answers on the caller's route."""

from __future__ import annotations

import uuid

import aio_pika

from servicedesk.channels.app import create_app
from servicedesk.channels.esb.topology import EsbNames
from servicedesk.channels.settings import ChannelsSettings, EsbSettings, TelegramMode
from tests.channels.esb_stack import Caller, cleanup, declared
from tests.support.apps import serve
from tests.support.isolation import TEST_BROKER_URL


async def test_the_channels_service_answers_commands() -> None:
    prefix = f"test-esb-{uuid.uuid4().hex[:8]}"
    settings = ChannelsSettings(esb=EsbSettings(prefix=prefix))
    settings.telegram.mode = TelegramMode.OFF
    names = EsbNames.of(prefix)
    connection = await aio_pika.connect_robust(TEST_BROKER_URL)
    try:
        async with serve(create_app(settings)) as client:
            assert (await client.get("/health/live")).status_code == 200
            await declared(connection, names)
            caller = Caller("monitoring", await connection.channel(), names)
            await caller.listen()
            command_id = await caller.send("get_status", {}, subject="no-such-alert")
            rejected = await caller.next_event("command.rejected")
            assert rejected.correlation_id == command_id
            assert b"unknown-incident" in rejected.body
    finally:
        await cleanup(connection, names)
        await connection.close()
