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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.consumer import ReceivedEvent
from servicedesk.kernel.db import WriteSession
from servicedesk.notifications.catalogue import Channel, Kind
from servicedesk.notifications.decide.changes import Change, change_of
from servicedesk.notifications.decide.preferences import Preferences, PreferenceStore
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
        """Every recipient's notification in one INSERT, their dispatches in another (digests
        moved in a third): a handful of statements an event, whatever the number of people."""
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
        wanted = [r for r in chosen if r.channels]
        if len(wanted) < len(chosen):
            SUPPRESSED.labels("preferences").inc(len(chosen) - len(wanted))
        drafts = [self._draft(change, r, self.store.of(r.person, stored)) for r in wanted]
        seqs = await _insert_notifications(session, change, drafts)
        created: list[tuple[str, int]] = []
        planned: list[dict[str, Any]] = []
        for draft in drafts:
            seq = seqs.get(draft.recipient.person.id)
            if seq is None:
                continue  # decided before (the same event again)
            if draft.failure is not None:
                planned.extend(_failed_dispatches(draft, seq, now))
                continue
            DECIDED.labels(draft.recipient.kind.value).inc()
            created.append((draft.recipient.person.id, seq))
            if draft.in_app:
                EVENT_TO_DELIVERY.labels("in_app").observe(
                    max(0.0, (now - change.occurred_at).total_seconds())
                )
            for channel in sorted(draft.recipient.channels - {Channel.IN_APP}):
                planned.append(self._dispatch_row(change, draft, channel, seq, now))
        await self._gather_digests(session, planned, now)
        if planned:
            await session.execute(insert(dispatches), planned)
        if change.sla_breach and self.policy.escalation.note_on_incident:
            await self._escalation_note(session, change, chosen, created, now)
        await publish_users(session, created)
        return [seq for _, seq in created]

    def _draft(self, change: Change, recipient: Recipient, prefs: Preferences) -> Draft:
        """The recipient's notification in their language, or why it could not be rendered."""
        item = change.item
        params = notification_params(change, recipient, self.directory.people)
        lang = language(recipient.person.locale, self.default_locale)
        try:
            said = words(recipient.kind, lang, params, prefs.timezone)
        except RenderError as exc:
            return Draft(recipient, prefs, params, f"{item.key}: {item.title}", "", str(exc))
        return Draft(recipient, prefs, params, said.title, said.body)

    def _dispatch_row(
        self, change: Change, draft: Draft, channel: Channel, seq: int, now: datetime
    ) -> dict[str, Any]:
        recipient = draft.recipient
        when = slot(
            recipient.kind, channel, change.item.priority, draft.prefs, now, self.digest_idle_s
        )
        held = when.held_until is not None
        reason = None
        if when.held_until is not None:
            SUPPRESSED.labels("quiet_hours").inc()
            reason = f"quiet hours until {when.held_until.isoformat()}"
        email = channel == Channel.EMAIL
        return {
            "id": uuid.uuid4(),
            "notification_seq": seq,
            "user_id": recipient.person.id,
            "channel": channel.value,
            "status": "held" if held else "pending",
            "reason": reason,
            "due_at": when.due_at,
            "digest_key": f"{recipient.person.id}:{change.item.id}" if email else None,
            "attempts": 0,
            "last_error": None,
            # not a column: whether the row waits for a digest's quiet spell
            "_digest": when.digest and email,
            "_held_until": when.held_until,
        }

    async def _gather_digests(
        self, session: WriteSession, planned: list[dict[str, Any]], now: datetime
    ) -> None:
        """A digest's mail goes when its item has been quiet for `digest_idle_s` (at most
        `digest_max_wait_s` after its first change): the new row and those already waiting
        get the same due time."""
        digests = [row for row in planned if row.pop("_digest")]
        held_until = {id(row): row.pop("_held_until") for row in planned}
        if not digests:
            return
        keys = sorted({row["digest_key"] for row in digests})
        firsts = dict(
            (
                await session.execute(
                    select(dispatches.c.digest_key, func.min(dispatches.c.created_at))
                    .where(
                        dispatches.c.digest_key.in_(keys),
                        dispatches.c.status.in_(("pending", "held")),
                    )
                    .group_by(dispatches.c.digest_key)
                )
            ).all()
        )
        due_of: dict[str, datetime] = {}
        for row in digests:
            first = firsts.get(row["digest_key"]) or now
            due = digest_due(first, now, self.digest_idle_s, self.digest_max_wait_s)
            row["due_at"] = max(due, held_until[id(row)] or row["due_at"])
            due_of[row["digest_key"]] = row["due_at"]
        await session.execute(
            update(dispatches)
            .where(dispatches.c.digest_key.in_(keys), dispatches.c.status == "pending")
            .values(due_at=case(due_of, value=dispatches.c.digest_key))
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
        found = [(person, source) for person, source in sources if person is not None]
        await watch(session, change.item.aggregate_type, change.item.id, found)


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


@dataclass(frozen=True, slots=True)
class Draft:
    """One recipient's notification before it is written."""

    recipient: Recipient
    prefs: Preferences
    params: dict[str, Any]
    title: str
    body: str
    failure: str | None = None  # why it could not be rendered

    @property
    def in_app(self) -> bool:
        return Channel.IN_APP in self.recipient.channels and self.failure is None


async def _insert_notifications(
    session: WriteSession, change: Change, drafts: list[Draft]
) -> dict[str, int]:
    """Writes the drafts in one statement; the new ones' sequence numbers by person (a person
    told of this event before keeps their notification and is left out)."""
    if not drafts:
        return {}
    item = change.item
    rows = [
        {
            "event_id": change.event_id,
            "user_id": d.recipient.person.id,
            "username": d.recipient.person.username,
            "kind": d.recipient.kind.value,
            "aggregate_type": item.aggregate_type,
            "aggregate_id": item.id,
            "key": item.key,
            "priority": item.priority,
            "actor": change.actor,
            "params": d.params,
            "in_app": d.in_app,
            "title": d.title,
            "body": d.body,
            "link": item.link,
        }
        for d in drafts
    ]
    written = await session.execute(  # executemany: one compiled statement, rows in batches
        insert(notifications)
        .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
        .returning(notifications.c.user_id, notifications.c.seq),
        rows,
    )
    return {user_id: int(seq) for user_id, seq in written}


def _failed_dispatches(draft: Draft, seq: int, now: datetime) -> list[dict[str, Any]]:
    """A notification that could not be rendered: failed on each of its channels, with the
    reason in its delivery log; the others of the event go on."""
    log.warning("a notification failed to render", extra={"reason": draft.failure})
    FAILED.labels("template", "failed").inc()
    return [
        {
            "id": uuid.uuid4(),
            "notification_seq": seq,
            "user_id": draft.recipient.person.id,
            "channel": channel.value,
            "status": "failed",
            "reason": f"template: {draft.failure}",
            "due_at": now,
            "digest_key": None,
            "attempts": 1,
            "last_error": draft.failure,
            "_digest": False,
            "_held_until": None,
        }
        for channel in sorted(draft.recipient.channels)
    ]


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
    watching: list[tuple[Person, str]],
) -> None:
    """These people watch the item from now on (`source`: why); those already watching
    keep their first reason. One statement."""
    rows: dict[str, dict[str, Any]] = {}
    for person, source in watching:
        rows.setdefault(
            person.id,
            {
                "aggregate_type": aggregate_type,
                "aggregate_id": aggregate_id,
                "user_id": person.id,
                "username": person.username,
                "source": source,
            },
        )
    if rows:
        await session.execute(insert(watchers).on_conflict_do_nothing(), list(rows.values()))


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
