"""The background task that warns of SLA due times drawing near and flags breaches as they pass
(every replica runs it; row locks with SKIP LOCKED share the work, so each warning and each
breach is announced once). At start it first arms the open targets of incidents from before
warnings, in a transaction of its own, with the policy it runs with."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from servicedesk.kernel.db import Database
from servicedesk.tickets.policy import TicketPolicy
from servicedesk.tickets.sla.service import arm_unarmed_targets, flag_breaches, flag_warnings

log = logging.getLogger(__name__)


async def _arm(database: Database, policy: TicketPolicy) -> None:
    async with database.write() as session:
        count = await arm_unarmed_targets(session, policy)
        await session.commit()
    if count:
        log.info("sla warnings armed", extra={"count": count})


async def watch_sla(database: Database, policy: TicketPolicy, interval_s: float) -> None:
    armed = False
    while True:
        try:
            if not armed:
                await _arm(database, policy)
                armed = True
            async with database.write() as session:
                now = datetime.now(UTC)
                warnings = await flag_warnings(session, now)
                breaches = await flag_breaches(session, now)
                await session.commit()
            if warnings:
                log.info("sla warnings flagged", extra={"count": len(warnings)})
            if breaches:
                log.info("sla breaches flagged", extra={"count": len(breaches)})
            if warnings or breaches:
                continue  # there may be more: look again at once
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sla check failed; retrying")
        await asyncio.sleep(interval_s)
