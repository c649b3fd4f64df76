"""Polling mode, for installations Telegram cannot reach over HTTPS: getUpdates with a long
timeout; each batch is stored in the inbound queue before its offset is confirmed."""

from __future__ import annotations

import asyncio
import logging

from servicedesk.channels.state import ChannelsState
from servicedesk.channels.telegram.webhook import accept_update
from servicedesk.kernel.db import Database

log = logging.getLogger(__name__)
LONG_POLL_S = 25


async def poll_forever(state: ChannelsState, database: Database) -> None:
    bot = state.telegram
    assert bot is not None
    await bot.bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    while True:
        try:
            updates = await bot.updates(offset, LONG_POLL_S)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("getUpdates failed; retrying", exc_info=True)
            await asyncio.sleep(3)
            continue
        if not updates:
            continue
        async with database.write() as session:
            for update in updates:
                await accept_update(state, session, update)
        offset = max(int(u["update_id"]) for u in updates) + 1
        state.inbox.wake()
