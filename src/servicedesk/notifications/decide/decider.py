"""Turns each event into notifications: who, what, which channels, when. Runs in the consumer's
transaction (the event's id is recorded in the same one), so a restart or a redelivery can
neither lose nor repeat a decision. Live consoles hear of it through NOTIFY, which PostgreSQL
sends only when the transaction commits."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.consumer import ReceivedEvent
from servicedesk.kernel.db import WriteSession
from servicedesk.notifications.catalogue import Channel, Kind
from servicedesk.notifications.decide.changes import Change, change_of
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.decide.recipients import Recipient, recipients
from servicedesk.notifications.decide.schedule import digest_due, slot
from servicedesk.notifications.metrics import DECIDED, EVENT_TO_DELIVERY, FAILED, SUPPRESSED
from servicedesk.notifications.models import dispatches, notifications, watchers
from servicedesk.notifications.people import Directory, People, Person
from servicedesk.notifications.policy import Policy
from servicedesk.notifications.texts import RenderError, language, words

log = logging.getLogger(__name__)
LIVE_CHANNEL = "notifications_live"
NOTIFY_LIMIT = 7000  # bytes of one NOTIFY payload (PostgreSQL's limit is 8000)
Clock = Callable[[], datetime]
DIRECTORY_WAIT_S = 10.0  # an event waits this long for the directory, then is retried


def utc_now() -> datetime:
    return datetime.now(UTC)


class DirectoryNotReady(RuntimeError):
    """The realm's people are not read yet; the event is retried."""


class Decider:
    def __init__(
        self,
        directory: Directory,
        policy: Policy,
        store: PreferenceStore,
        *,
        default_locale: str,
        digest_idle_s: float,
        digest_max_wait_s: float,
        stale_after_s: float,
        own_account: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.directory = directory
        self.policy = policy
        self.store = store
        self.default_locale = default_locale
        self.digest_idle_s = digest_idle_s
        self.digest_max_wait_s = digest_max_wait_s
        self.stale_after_s = stale_after_s
        self.own_account = own_account  # its escalation notes are told by the breach itself
        self.clock = clock

    async def handle(self, session: WriteSession, event: ReceivedEvent) -> None:
        change = change_of(event)
        if change is None:
            return
        if not self.directory.loaded.is_set():  # the first seconds after a start
            try:
                await asyncio.wait_for(self.directory.loaded.wait(), DIRECTORY_WAIT_S)
            except TimeoutError:
                raise DirectoryNotReady("the realm directory is not loaded yet") from None
        people = self.directory.people
        await self._auto_watch(session, change, people)
        await publish_change(session, change)
        now = self.clock()
        if change.occurred_at < now - timedelta(seconds=self.stale_after_s):
            SUPPRESSED.labels("stale").inc()
            return
        if change.actor is not None and change.actor == self.own_account:
            SUPPRESSED.labels("own_note").inc()
            return
        await self.decide(session, change, people, now)

    async def decide(
        self, session: WriteSession, change: Change, people: People, now: datetime
    ) -> list[int]:
        watching = await watcher_ids(session, change.item.aggregate_type, change.item.id)
        stored = await self.store.stored(session)
        chosen = recipients(
            change,
            people,
            watching,
            lambda p: self.store.of(p, stored),
            self.policy.escalation,
        )
        if change.sla_breach:
            names = sorted(r.person.username for r in chosen if r.escalated)
            change = replace(change, params={**change.params, "escalated_to": names})
        created: list[tuple[str, int]] = []
        for recipient in chosen:
            if not recipient.channels:
                SUPPRESSED.labels("preferences").inc()
                continue
            prefs = self.store.of(recipient.person, stored)
            seq = await self._notify(session, change, recipient, prefs.timezone, now)
            if seq is None:
                continue
            DECIDED.labels(recipient.kind.value).inc()
            created.append((recipient.person.id, seq))
            for channel in recipient.channels - {Channel.IN_APP}:
                await self._dispatch(session, change, recipient, channel, seq, prefs, now)
        if change.sla_breach and self.policy.escalation.note_on_incident:
            await self._escalation_note(session, change, chosen, created, now)
        await publish_users(session, created)
        return [seq for _, seq in created]

    async def _notify(
        self,
        session: WriteSession,
        change: Change,
        recipient: Recipient,
        zone: str,
        now: datetime,
    ) -> int | None:
        person, item = recipient.person, change.item
        params = notification_params(change, recipient, self.directory.people)
        lang = language(person.locale, self.default_locale)
        failure = None
        try:
            said = words(recipient.kind, lang, params, zone)
            title, body = said.title, said.body
        except RenderError as exc:
            failure, title, body = str(exc), f"{item.key}: {item.title}", ""
        in_app = Channel.IN_APP in recipient.channels and failure is None
        seq = await session.scalar(
            insert(notifications)
            .values(
                event_id=change.event_id,
                user_id=person.id,
                username=person.username,
                kind=recipient.kind.value,
                aggregate_type=item.aggregate_type,
                aggregate_id=item.id,
                key=item.key,
                priority=item.priority,
                actor=change.actor,
                params=params,
                in_app=in_app,
                title=title,
                body=body,
                link=item.link,
            )
            .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(notifications.c.seq)
        )
        if seq is None:
            return None  # decided before (the same event again)
        if failure is not None:
            log.warning("a notification failed to render", extra={"reason": failure})
            FAILED.labels("template", "failed").inc()
            for channel in sorted(recipient.channels):
                await session.execute(
                    insert(dispatches).values(
                        id=uuid.uuid4(),
                        notification_seq=seq,
                        user_id=person.id,
                        channel=channel.value,
                        status="failed",
                        reason=f"template: {failure}",
                        due_at=now,
                        attempts=1,
                        last_error=failure,
                    )
                )
            return None
        if in_app:
            EVENT_TO_DELIVERY.labels("in_app").observe(
                max(0.0, (now - change.occurred_at).total_seconds())
            )
        return int(seq)

    async def _dispatch(
        self,
        session: WriteSession,
        change: Change,
        recipient: Recipient,
        channel: Channel,
        seq: int,
        prefs: Any,
        now: datetime,
    ) -> None:
        when = slot(recipient.kind, channel, change.item.priority, prefs, now, self.digest_idle_s)
        key = f"{recipient.person.id}:{change.item.id}" if channel == Channel.EMAIL else None
        due = when.due_at
        if when.digest and key is not None:
            first = await session.scalar(
                select(func.min(dispatches.c.created_at)).where(
                    dispatches.c.digest_key == key, dispatches.c.status.in_(("pending", "held"))
                )
            )
            due = max(
                digest_due(first or now, now, self.digest_idle_s, self.digest_max_wait_s),
                when.held_until or due,
            )
            await session.execute(
                update(dispatches)
                .where(dispatches.c.digest_key == key, dispatches.c.status == "pending")
                .values(due_at=due)
            )
        held = when.held_until is not None
        reason = None
        if when.held_until is not None:
            SUPPRESSED.labels("quiet_hours").inc()
            reason = f"quiet hours until {when.held_until.isoformat()}"
        await session.execute(
            insert(dispatches).values(
                id=uuid.uuid4(),
                notification_seq=seq,
                user_id=recipient.person.id,
                channel=channel.value,
                status="held" if held else "pending",
                reason=reason,
                due_at=due,
                digest_key=key,
            )
        )

    async def _escalation_note(
        self,
        session: WriteSession,
        change: Change,
        chosen: list[Recipient],
        created: list[tuple[str, int]],
        now: datetime,
    ) -> None:
        """One internal note on the incident naming who the breach was escalated to; it leaves
        with the first escalated person's notification (channel `incident_note`)."""
        escalated = [r for r in chosen if r.escalated]
        seqs = dict(created)
        anchor = next((seqs[r.person.id] for r in escalated if r.person.id in seqs), None)
        if anchor is None:
            return
        await session.execute(
            insert(dispatches)
            .values(
                id=uuid.uuid5(change.event_id, "escalation-note"),
                notification_seq=anchor,
                user_id=escalated[0].person.id,
                channel="incident_note",
                status="pending",
                due_at=now,
            )
            .on_conflict_do_nothing()
        )

    async def _auto_watch(self, session: WriteSession, change: Change, people: People) -> None:
        """Creators and commenters watch what they created or commented on."""
        sources: list[tuple[Person | None, str]] = []
        if change.kind == Kind.INCIDENT_CREATED:
            sources.append((people.by_username.get(change.actor or ""), "created"))
            sources.append((people.by_id.get(change.item.reporter_id or ""), "reported"))
        if change.kind == Kind.INCIDENT_COMMENTED:
            sources.append((people.by_username.get(change.actor or ""), "commented"))
        for person, source in sources:
            if person is not None:
                await watch(session, change.item.aggregate_type, change.item.id, person, source)


def notification_params(change: Change, recipient: Recipient, people: People) -> dict[str, Any]:
    item = change.item
    actor = people.by_username.get(change.actor or "")
    return {
        **change.params,
        "key": item.key,
        "title": item.title,
        "status": item.status,
        "priority": item.priority,
        "assignee": item.assignee,
        "actor": actor.name if actor else change.actor,
        "to_group": recipient.kind == Kind.INCIDENT_ASSIGNED
        and change.to_group
        and item.assignee is None,
        "escalated": recipient.escalated,
        "occurred_at": change.occurred_at.isoformat(),
    }


async def watcher_ids(
    session: WriteSession, aggregate_type: str, aggregate_id: uuid.UUID
) -> set[str]:
    rows = await session.scalars(
        select(watchers.c.user_id).where(
            watchers.c.aggregate_type == aggregate_type, watchers.c.aggregate_id == aggregate_id
        )
    )
    return set(rows)


async def watch(
    session: WriteSession,
    aggregate_type: str,
    aggregate_id: uuid.UUID,
    person: Person,
    source: str,
) -> None:
    await session.execute(
        insert(watchers)
        .values(
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            user_id=person.id,
            username=person.username,
            source=source,
        )
        .on_conflict_do_nothing()
    )


async def _notify_live(session: WriteSession, message: dict[str, Any]) -> None:
    await session.execute(select(func.pg_notify(LIVE_CHANNEL, json.dumps(message))))


async def publish_users(session: WriteSession, created: list[tuple[str, int]]) -> None:
    """Tells live streams (after commit) which people have something new."""
    batch: list[tuple[str, int]] = []
    size = 0
    for user_id, seq in created:
        batch.append((user_id, seq))
        size += len(user_id) + 24
        if size > NOTIFY_LIMIT:
            await _notify_live(session, {"users": batch})
            batch, size = [], 0
    if batch:
        await _notify_live(session, {"users": batch})


async def publish_unread(session: WriteSession, user_ids: list[str]) -> None:
    """Tells these people's live streams (after commit) that their unread count changed."""
    await _notify_live(session, {"unread": user_ids})


async def publish_change(session: WriteSession, change: Change) -> None:
    """Tells every live console that an item changed (to refresh what they show)."""
    item = change.item
    await _notify_live(
        session,
        {
            "change": {
                "aggregate_type": item.aggregate_type,
                "aggregate_id": str(item.id),
                "key": item.key,
                "version": item.version,
                "type": f"{item.aggregate_type}.{_event_name(change)}",
                "actor": change.actor,
                "changed": change.params.get("changed"),
                "reporter_id": item.reporter_id,  # who else may hear of it (not sent on)
            }
        },
    )


def _event_name(change: Change) -> str:
    names = {
        Kind.INCIDENT_CREATED: "created",
        Kind.INCIDENT_UPDATED: "updated",
        Kind.INCIDENT_COMMENTED: "commented",
        Kind.INCIDENT_STATUS_CHANGED: "status_changed",
        Kind.SLA_WARNING: "sla_warning",
        Kind.SLA_BREACHED: "sla_breached",
        Kind.PROBLEM_CREATED: "created",
        Kind.PROBLEM_CLOSED: "closed",
    }
    return names.get(change.kind, change.kind.value)
