"""Sends what is due: picks due dispatches (row locks with SKIP LOCKED, so replicas share the
work), folds a person's pending mail about one item into one digest, sends, and records each
outcome; a failed channel is retried with backoff until `give_up_after_s`.

The rows stay locked while their messages go out: a crash before the commit leaves them due, so
they go again (at least once). Telegram and SMS carry the dispatch's id as Idempotency-Key, so
the channels service sends them once; mail keeps its Message-ID."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.db import Database, WriteSession
from servicedesk.notifications.catalogue import Channel, Kind
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.deliver import sms
from servicedesk.notifications.deliver.email import Letter, Thread
from servicedesk.notifications.deliver.outlets import (
    ChannelsOutlet,
    IncidentNotes,
    MailOutlet,
    Outcome,
    Result,
)
from servicedesk.notifications.deliver.tokens import unsubscribe_token
from servicedesk.notifications.metrics import DIGEST_SIZE, EVENT_TO_DELIVERY, FAILED, SENT
from servicedesk.notifications.models import dispatches, mail_threads, notifications
from servicedesk.notifications.people import Directory, Person
from servicedesk.notifications.settings import NotificationsSettings
from servicedesk.notifications.texts import RenderError, language, text

log = logging.getLogger(__name__)
DUE = ("pending", "held")
NEVER_FOLDED = (Kind.INCIDENT_ASSIGNED.value, Kind.MENTIONED.value)  # each its own mail


@dataclass(slots=True)
class Job:
    """One message to send: a dispatch, and for a digest the siblings it carries."""

    main: Row[Any]
    riders: list[Row[Any]] = field(default_factory=list)
    summary: bool = False  # one mail for many items: a person flooded with news

    @property
    def rows(self) -> list[Row[Any]]:
        return [self.main, *self.riders]


class Dispatcher:
    def __init__(
        self,
        database: Database,
        directory: Directory,
        store: PreferenceStore,
        settings: NotificationsSettings,
        mail: MailOutlet,
        channels: ChannelsOutlet,
        notes: IncidentNotes,
        clock: Callable[[], datetime],
        concurrency: int = 20,
    ) -> None:
        self.database = database
        self.directory = directory
        self.store = store
        self.settings = settings
        self.mail = mail
        self.channels = channels
        self.notes = notes
        self.clock = clock
        self.limit = asyncio.Semaphore(concurrency)
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Ends `run_forever` after the batch in hand is recorded: a message sent is never
        left marked due, to go again after a restart."""
        self.stopping.set()

    async def run_forever(self) -> None:
        while not self.stopping.is_set():
            try:
                handled = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatching failed; retrying")
                handled = 0
            if handled < self.settings.dispatch_batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), self.settings.dispatch_interval_s)

    async def dispatch_once(self) -> int:
        """Sends one batch of due dispatches; returns how many rows it settled."""
        if not self.directory.loaded.is_set():
            return 0  # who is who (addresses, languages) is not known yet
        now = self.clock()
        async with self.database.write() as session:
            due = await self._due(session, now)
            if not due:
                return 0
            jobs = await self._jobs(session, due)
            stored = await self.store.stored(session)
            outcomes = await asyncio.gather(*(self._guarded(session, j, stored) for j in jobs))
            for job, outcome in zip(jobs, outcomes, strict=True):
                await self._settle(session, job, outcome, now)
            return sum(len(j.rows) for j in jobs)

    async def _due(self, session: WriteSession, now: datetime) -> list[Row[Any]]:
        """Half the batch from the oldest due, half from the newest: a backlog (a channel that
        was down, a burst of SLA breaches) never holds back what just happened."""
        half = max(1, self.settings.dispatch_batch // 2)
        oldest = await session.execute(
            _due_query(now).limit(half).with_for_update(of=dispatches, skip_locked=True)
        )
        rows = list(oldest)
        newest = _due_query(now).order_by(None).order_by(dispatches.c.due_at.desc())
        if rows:
            newest = newest.where(dispatches.c.id.not_in([row.id for row in rows]))
        rows.extend(
            await session.execute(
                newest.limit(half).with_for_update(of=dispatches, skip_locked=True)
            )
        )
        return rows

    async def _jobs(self, session: WriteSession, due: list[Row[Any]]) -> list[Job]:
        jobs: list[Job] = []
        taken: set[uuid.UUID] = {row.id for row in due}
        digests: dict[str, Job] = {}
        for row in due:
            if row.digest_key is None:
                jobs.append(Job(row))
                continue
            if row.digest_key in digests:
                digests[row.digest_key].riders.append(row)
                continue
            job = digests[row.digest_key] = Job(row)
            jobs.append(job)
            siblings = await session.execute(
                _base_query()
                .where(
                    dispatches.c.digest_key == row.digest_key,
                    dispatches.c.status.in_(DUE),
                    dispatches.c.id.not_in(taken),
                )
                .with_for_update(of=dispatches, skip_locked=True)
            )
            for sibling in siblings:
                taken.add(sibling.id)
                job.riders.append(sibling)
        return await self._fold_floods(session, jobs, taken)

    async def _fold_floods(
        self, session: WriteSession, jobs: list[Job], taken: set[uuid.UUID]
    ) -> list[Job]:
        """A person with mail due about more than `mail_flood_items` items gets one summary
        instead (all their due mail), not a storm of messages."""
        by_person: dict[str, list[Job]] = {}
        for job in jobs:
            if job.main.channel == Channel.EMAIL and job.main.kind not in NEVER_FOLDED:
                by_person.setdefault(job.main.user_id, []).append(job)
        limit = self.settings.mail_flood_items
        flooded = {user for user, mails in by_person.items() if len(mails) > limit}
        if not flooded:
            return jobs
        folded = {id(job) for user in flooded for job in by_person[user]}
        kept = [job for job in jobs if id(job) not in folded]
        for user in flooded:
            rows = [row for job in by_person[user] for row in job.rows]
            more = await session.execute(
                _due_query(self.clock())
                .where(
                    dispatches.c.user_id == user,
                    dispatches.c.channel == Channel.EMAIL.value,
                    dispatches.c.id.not_in(taken),
                    notifications.c.kind.not_in(NEVER_FOLDED),
                )
                .with_for_update(of=dispatches, skip_locked=True)
            )
            rows.extend(more)
            kept.append(Job(rows[0], rows[1:], summary=True))
        return kept

    async def _guarded(self, session: WriteSession, job: Job, stored: dict[str, Any]) -> Outcome:
        async with self.limit:
            try:
                return await self._send(session, job, stored)
            except RenderError as exc:
                return Outcome(Result.FAILED, f"template: {exc}")

    async def _send(self, session: WriteSession, job: Job, stored: dict[str, Any]) -> Outcome:
        row = job.main
        if row.channel == "incident_note":
            return await self.notes.add(str(row.aggregate_id), self._note(row), str(row.id))
        person = self.directory.people.by_id.get(row.user_id)
        if person is None:
            return Outcome(Result.SKIPPED, "the person is no longer in the directory")
        prefs = self.store.of(person, stored)
        lang = language(person.locale, self.settings.default_locale)
        if row.channel == Channel.EMAIL:
            return await self._mail(session, job, person, lang, prefs.timezone)
        link = f"{self.settings.console_url}{row.link}"
        if row.channel == Channel.TELEGRAM:
            message = f"🔔 {row.title}\n{row.body}\n{link}".replace("\n\n", "\n")
        else:
            message = sms.fit(f"{row.title}. {row.body}", parts=2)
        return await self.channels.send(row.channel, person.id, message, row.key, str(row.id))

    async def _mail(
        self, session: WriteSession, job: Job, person: Person, lang: str, zone: str
    ) -> Outcome:
        if not person.email:
            return Outcome(Result.SKIPPED, "no email address in the directory")
        rows = sorted(job.rows, key=lambda r: r.seq)
        row = rows[-1]
        kind = Kind(rows[0].kind)
        secret = self.settings.unsubscribe_secret.get_secret_value()
        console = self.settings.console_url
        if job.summary:
            keys = {r.key for r in rows}
            subject = text(
                lang, "notifications.mail.summary_subject", count=len(rows), items=len(keys)
            )
            open_label = text(lang, "notifications.mail.open_all")
            key, url = "", f"{console}/notifications"
        elif len(rows) == 1:
            subject = f"[{row.key}] {row.title}"
            open_label = text(lang, "notifications.mail.open", key=row.key)
            key, url = row.key, f"{console}{row.link}"
        else:
            subject = text(
                lang,
                "notifications.mail.digest_subject",
                key=row.key,
                count=len(rows),
                title=str(row.params.get("title", row.key)),
            )
            open_label = text(lang, "notifications.mail.open", key=row.key)
            key, url = row.key, f"{console}{row.link}"
        letter = Letter(
            to=self.settings.mail.to_address(person.email),
            lang=lang,
            timezone=zone,
            kind=kind,
            key=key,
            subject=subject,
            open_label=open_label,
            item_url=url,
            settings_url=f"{self.settings.console_url}/profile",
            unsubscribe_url=(
                f"{self.settings.public_url}/unsubscribe/"
                f"{unsubscribe_token(secret, person.id, kind)}"
            ),
            items=[{"title": r.title, "body": r.body, "created_at": r.created_at} for r in rows],
        )
        if job.summary:
            return await self._send_summary(letter, job)
        thread_row = (
            await session.execute(
                select(mail_threads).where(
                    mail_threads.c.user_id == person.id,
                    mail_threads.c.aggregate_id == row.aggregate_id,
                )
            )
        ).first()
        thread = (
            Thread(thread_row.root_message_id, thread_row.last_message_id) if thread_row else None
        )
        message_id = self._message_id(job)
        outcome = await self.mail.send(letter, message_id, thread)
        if outcome.result == Result.SENT:
            await session.execute(
                insert(mail_threads)
                .values(
                    user_id=person.id,
                    aggregate_id=row.aggregate_id,
                    root_message_id=message_id,
                    last_message_id=message_id,
                )
                .on_conflict_do_update(
                    index_elements=["user_id", "aggregate_id"],
                    set_={"last_message_id": message_id, "updated_at": self.clock()},
                )
            )
            DIGEST_SIZE.observe(len(rows))
        return outcome

    async def _send_summary(self, letter: Letter, job: Job) -> Outcome:
        outcome = await self.mail.send(letter, self._message_id(job), None)
        if outcome.result == Result.SENT:
            DIGEST_SIZE.observe(len(job.rows))
        return outcome

    def _message_id(self, job: Job) -> str:
        """The dispatch's own id: a mail sent again after a crash is the same message to the
        reader's client, and short enough that In-Reply-To stays on one line."""
        return f"<{job.main.id}@{self.settings.mail.domain}>"

    def _note(self, row: Row[Any]) -> str:
        escalated = row.params.get("escalated_to") or [row.username]
        lang = language(None, self.settings.default_locale)
        return text(
            lang,
            "notifications.escalation.note",
            targets=", ".join(row.params.get("targets", [])),
            supervisors=", ".join(escalated) or row.username,
            priority=row.priority or "",
        )

    async def _settle(
        self, session: WriteSession, job: Job, outcome: Outcome, now: datetime
    ) -> None:
        main = job.main
        attempts = main.attempts + 1
        if outcome.result == Result.SENT:
            SENT.labels(main.channel).inc()
            occurred = main.params.get("occurred_at")
            if occurred:
                latency = (now - datetime.fromisoformat(occurred)).total_seconds()
                EVENT_TO_DELIVERY.labels(main.channel).observe(max(0.0, latency))
            values: dict[str, Any] = {
                "status": "sent",
                "sent_at": now,
                "attempts": attempts,
                "external_id": outcome.external_id,
                "last_error": None,
            }
        elif outcome.result == Result.RETRY and now - main.created_at < timedelta(
            seconds=self.settings.give_up_after_s
        ):
            FAILED.labels(main.channel, "retry").inc()
            delay = min(self.settings.retry_base_s * 2 ** (attempts - 1), self.settings.retry_max_s)
            values = {
                "status": "pending",
                "attempts": attempts,
                "last_error": outcome.detail,
                "due_at": now + timedelta(seconds=delay),
            }
        else:
            status = "skipped" if outcome.result == Result.SKIPPED else "failed"
            FAILED.labels(main.channel, status).inc()
            values = {
                "status": status,
                "attempts": attempts,
                "last_error": outcome.detail,
                "reason": outcome.detail,
            }
        await session.execute(update(dispatches).where(dispatches.c.id == main.id).values(values))
        riders = [r.id for r in job.riders]
        if not riders:
            return
        if values["status"] == "sent":
            rider_values: dict[str, Any] = {
                "status": "digested",
                "digest_id": main.id,
                "sent_at": now,
            }
        else:
            rider_values = {k: v for k, v in values.items() if k != "external_id"}
        await session.execute(
            update(dispatches).where(dispatches.c.id.in_(riders)).values(rider_values)
        )


def _base_query() -> Any:
    return select(
        dispatches,
        notifications.c.seq,
        notifications.c.kind,
        notifications.c.key,
        notifications.c.aggregate_id,
        notifications.c.username,
        notifications.c.priority,
        notifications.c.params,
        notifications.c.title,
        notifications.c.body,
        notifications.c.link,
    ).join(notifications, notifications.c.seq == dispatches.c.notification_seq)


def _due_query(now: datetime) -> Any:
    return (
        _base_query()
        .where(dispatches.c.status.in_(DUE), dispatches.c.due_at <= now)
        .order_by(dispatches.c.due_at)
    )
