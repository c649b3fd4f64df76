"""The optional daily summary: for each person who asked for it, one mail in their morning (at
`summary_at`, their time zone) listing what they have not read from the last day. Once per
person and local day (a mark in `service_marks`, taken under a row lock, so replicas and
restarts never send it twice); nothing to report, no mail."""

from __future__ import annotations

import asyncio
import email.utils
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.db import Database
from servicedesk.notifications.catalogue import Kind
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.deliver.email import Letter
from servicedesk.notifications.deliver.outlets import MailOutlet, Result
from servicedesk.notifications.models import notifications, preferences, service_marks
from servicedesk.notifications.people import Directory, Person
from servicedesk.notifications.settings import NotificationsSettings
from servicedesk.notifications.texts import language, text

log = logging.getLogger(__name__)
LISTED = 30  # at most this many lines; the rest is a count


class NotSent(Exception):
    """The mail server did not take a summary."""


class DailySummaries:
    def __init__(
        self,
        database: Database,
        directory: Directory,
        store: PreferenceStore,
        settings: NotificationsSettings,
        mail: MailOutlet,
        clock: Callable[[], datetime],
    ) -> None:
        self.database = database
        self.directory = directory
        self.store = store
        self.settings = settings
        self.mail = mail
        self.clock = clock

    async def run_forever(self, interval_s: float = 60.0) -> None:
        while True:
            try:
                await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("daily summaries failed; trying again later")
            await asyncio.sleep(interval_s)

    async def send_due(self) -> int:
        """Sends the summaries due now; returns how many went out."""
        if not self.directory.loaded.is_set():
            return 0
        async with self.database.write() as session:
            wanted = list(
                await session.scalars(
                    select(preferences.c.user_id).where(preferences.c.daily_summary)
                )
            )
        sent = 0
        for user_id in wanted:
            person = self.directory.people.by_id.get(user_id)
            if person is not None and person.email:
                sent += await self._one(person)
        return sent

    async def _one(self, person: Person) -> int:
        try:
            return await self._try(person)
        except NotSent:
            return 0

    async def _try(self, person: Person) -> int:
        now = self.clock()
        async with self.database.write() as session:
            prefs = self.store.of(person, await self.store.stored(session))
            local = now.astimezone(ZoneInfo(prefs.timezone))
            at = time.fromisoformat(self.settings.daily_summary_at)
            if local.time() < at:
                return 0
            mark = f"summary:{person.id}:{local.date().isoformat()}"
            taken = await session.scalar(
                insert(service_marks)
                .values(name=mark, value={"at": now.isoformat()})
                .on_conflict_do_nothing()
                .returning(service_marks.c.name)
            )
            if taken is None:
                return 0  # sent today already (or being sent by another replica)
            rows = (
                await session.execute(
                    select(notifications)
                    .where(
                        notifications.c.user_id == person.id,
                        notifications.c.in_app,
                        notifications.c.read_at.is_(None),
                        notifications.c.created_at > func.now() - timedelta(days=1),
                    )
                    .order_by(notifications.c.seq.desc())
                )
            ).all()
            if not rows:
                return 0
            outcome = await self.mail.send(
                self._letter(person, prefs.timezone, rows),
                email.utils.make_msgid(idstring="summary", domain=self.settings.mail.domain),
                None,
            )
            if outcome.result != Result.SENT:
                log.warning("a daily summary was not sent", extra={"reason": outcome.detail})
                raise NotSent  # the mark goes with the transaction: tried again next round
        return 1

    def _letter(self, person: Person, zone: str, rows: Sequence[Row[Any]]) -> Letter:
        lang = language(person.locale, self.settings.default_locale)
        shown = [{"title": r.title, "body": "", "created_at": r.created_at} for r in rows[:LISTED]]
        if len(rows) > LISTED:
            more = text(lang, "notifications.summary.more", count=len(rows) - LISTED)
            shown.append({"title": more, "body": "", "created_at": self.clock()})
        console = self.settings.console_url
        return Letter(
            to=self.settings.mail.to_address(person.email or ""),
            lang=lang,
            timezone=zone,
            kind=Kind.INCIDENT_UPDATED,
            key="",
            subject=text(lang, "notifications.summary.subject", count=len(rows)),
            open_label=text(lang, "notifications.mail.open_all"),
            item_url=f"{console}/notifications",
            settings_url=f"{console}/profile",
            unsubscribe_url=f"{console}/profile",
            items=shown,
        )
