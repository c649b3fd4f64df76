"""The background task that flags SLA breaches as their due times pass (every replica runs it;
row locks with SKIP LOCKED share the work, so each breach is announced once)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from servicedesk.kernel.db import Database
from servicedesk.tickets.sla.service import flag_breaches

log = logging.getLogger(__name__)


async def watch_breaches(database: Database, interval_s: float) -> None:
    while True:
        try:
            async with database.write() as session:
                breaches = await flag_breaches(session, datetime.now(UTC))
                await session.commit()
            if breaches:
                log.info("sla breaches flagged", extra={"count": len(breaches)})
                continue  # there may be more: look again at once
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sla breach check failed; retrying")
        await asyncio.sleep(interval_s)
