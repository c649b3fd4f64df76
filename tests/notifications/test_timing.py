"""Decisions and deliveries against the real database and mail server with the clock in the
test's hands: quiet hours hold a normal notification until morning and let a critical one
through; a template that fails fails one notification, not the others; a person gone from the
directory gets nothing and nothing is retried.

The fake "now" is years ahead, so the live stack's own dispatcher (real time) never takes
these rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from servicedesk.kernel.db import Database
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.notifications.catalogue import Kind
from servicedesk.notifications.decide.changes import Change, Item
from servicedesk.notifications.decide.decider import Decider
from servicedesk.notifications.decide.preferences import PreferenceStore
from servicedesk.notifications.deliver.dispatcher import Dispatcher
from servicedesk.notifications.deliver.outlets import ChannelsOutlet, IncidentNotes, MailOutlet
from servicedesk.notifications.deliver.summary import DailySummaries
from servicedesk.notifications.models import (
    dispatches,
    notifications,
    preferences,
    service_marks,
)
from servicedesk.notifications.people import Directory, People, Person
from servicedesk.notifications.policy import load_policy
from servicedesk.notifications.settings import NotificationsSettings
from tests.support.isolation import MAIL_TAG
from tests.support.mailbox import Mailbox

LATE_EVENING = datetime(2031, 1, 15, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
MORNING = datetime(2031, 1, 16, 5, 0, tzinfo=UTC)  # 08:00 in Moscow


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _person(name: str) -> Person:
    """A person of this test only (their own id), with the tests' own mailbox."""
    return Person(
        id=f"test-{uuid.uuid4()}",
        username=f"{name}-{uuid.uuid4().hex[:6]}",
        name=name.title(),
        email=f"{name}@example.com",
        locale="en",
        roles=frozenset({"agent"}),
    )


class Rig:
    def __init__(self, database: Database, people: list[Person], clock: Clock) -> None:
        settings = NotificationsSettings()
        self.settings = settings
        self.database = database
        self.clock = clock
        self.directory = Directory(ServiceClient("keycloak", "http://127.0.0.1:9"), "unused")
        self.directory.people = People.of(people, {})
        self.directory.loaded.set()
        policy = load_policy(settings.policy_file)
        self.store = PreferenceStore(policy, "Europe/Moscow")
        self.decider = Decider(
            self.directory,
            policy,
            self.store,
            default_locale="en",
            digest_idle_s=180,
            digest_max_wait_s=600,
            stale_after_s=10**9,
            clock=clock,
        )
        nowhere = ServiceClient("nowhere", "http://127.0.0.1:9")
        self.dispatcher = Dispatcher(
            database,
            self.directory,
            self.store,
            settings,
            MailOutlet(settings.mail),
            ChannelsOutlet(nowhere),
            IncidentNotes(nowhere),
            clock,
        )

    async def assign(self, person: Person, priority: str) -> tuple[str, int]:
        key = f"INC-{uuid.uuid4().int % 10**9:09d}"
        item = Item(
            "incident",
            uuid.uuid4(),
            key,
            f"Printer {key}",
            "new",
            priority,
            assignee=person.username,
        )
        change = Change(
            uuid.uuid4(),
            self.clock(),
            "someone-else",
            item,
            Kind.INCIDENT_UPDATED,
            assigned_to=person.username,
        )
        async with self.database.write() as session:
            await self.decider.decide(session, change, self.directory.people, self.clock())
            seq = await session.scalar(
                select(notifications.c.seq).where(notifications.c.event_id == change.event_id)
            )
        assert seq is not None
        return key, int(seq)

    async def deliveries(self, seq: int) -> list[dict[str, Any]]:
        async with self.database.write() as session:
            rows = await session.execute(
                select(dispatches).where(dispatches.c.notification_seq == seq)
            )
            return [dict(r._mapping) for r in rows]


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    settings = NotificationsSettings()
    database = Database(settings.db, None)
    yield database
    await database.dispose()


async def _forget(database: Database, people: list[Person]) -> None:
    ids = [p.id for p in people]
    async with database.write() as session:
        seqs = select(notifications.c.seq).where(notifications.c.user_id.in_(ids))
        await session.execute(delete(dispatches).where(dispatches.c.notification_seq.in_(seqs)))
        await session.execute(delete(notifications).where(notifications.c.user_id.in_(ids)))
        await session.execute(delete(preferences).where(preferences.c.user_id.in_(ids)))


def _mail_about(key: str) -> list[Any]:
    box = Mailbox(f"nightowl+{MAIL_TAG}@example.com")
    return box.messages("HEADER", "X-Servicedesk-Item", key)


def _wait_for_mail_about(key: str) -> Any:
    """The mail server delivers a moment after it accepted: wait for it."""
    box = Mailbox(f"nightowl+{MAIL_TAG}@example.com")
    return box.wait_for(lambda _: True, 10, "HEADER", "X-Servicedesk-Item", key)


async def test_quiet_hours_hold_a_normal_one_until_morning_and_let_a_critical_one_through(
    database: Database,
) -> None:
    owl = _person("nightowl")
    clock = Clock(LATE_EVENING)
    rig = Rig(database, [owl], clock)
    async with database.write() as session:
        await session.execute(
            preferences.insert().values(
                user_id=owl.id,
                quiet_enabled=True,
                quiet_start=time(22),
                quiet_end=time(8),
                timezone="Europe/Moscow",
            )
        )
    try:
        normal_key, normal = await rig.assign(owl, "medium")
        critical_key, critical = await rig.assign(owl, "critical")
        [held] = await rig.deliveries(normal)
        assert (held["channel"], held["status"], held["due_at"]) == ("email", "held", MORNING)
        assert "quiet hours" in held["reason"]

        clock.now = LATE_EVENING + timedelta(minutes=1)
        while await rig.dispatcher.dispatch_once():
            pass
        [sent] = await rig.deliveries(critical)
        assert sent["status"] == "sent"
        assert (await rig.deliveries(normal))[0]["status"] == "held"
        await asyncio.to_thread(_wait_for_mail_about, critical_key)
        assert not await asyncio.to_thread(_mail_about, normal_key)

        clock.now = MORNING + timedelta(seconds=1)
        while await rig.dispatcher.dispatch_once():
            pass
        assert (await rig.deliveries(normal))[0]["status"] == "sent"
        mail = await asyncio.to_thread(_wait_for_mail_about, normal_key)
        assert normal_key in mail["Subject"]
    finally:
        await _forget(database, [owl])


async def test_a_person_gone_from_the_directory_gets_nothing_and_nothing_is_retried(
    database: Database,
) -> None:
    ghost = _person("ghost")
    clock = Clock(LATE_EVENING)
    rig = Rig(database, [ghost], clock)
    try:
        _, seq = await rig.assign(ghost, "medium")
        rig.directory.people = People.of([], {})  # removed from Keycloak meanwhile
        clock.now += timedelta(seconds=1)
        while await rig.dispatcher.dispatch_once():
            pass
        [gone] = await rig.deliveries(seq)
        assert gone["status"] == "skipped"
        assert gone["attempts"] == 1
        assert "no longer in the directory" in gone["reason"]
        clock.now += timedelta(days=1)
        assert await rig.dispatcher.dispatch_once() == 0 or (
            (await rig.deliveries(seq))[0]["attempts"] == 1
        )
    finally:
        await _forget(database, [ghost])


async def test_a_template_that_fails_fails_one_notification_and_the_others_go_on(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.kernel.i18n import catalogue

    broken = replace(_person("broken"), locale="ru")  # only the Russian text is broken
    fine = _person("fine")
    texts = catalogue().texts
    monkeypatch.setitem(
        texts["ru"], "notifications.title.incident_assigned", "{actor} {no_such_parameter}"
    )
    clock = Clock(LATE_EVENING)
    rig = Rig(database, [broken, fine], clock)
    try:
        _, failed = await rig.assign(broken, "high")
        _, good = await rig.assign(fine, "high")
        logged = await rig.deliveries(failed)
        assert sorted((d["channel"], d["status"]) for d in logged) == [
            ("email", "failed"),
            ("in_app", "failed"),
        ]
        assert all("no_such_parameter" in d["reason"] for d in logged)
        async with database.write() as session:
            in_app = await session.scalar(
                select(notifications.c.in_app).where(notifications.c.seq == good)
            )
        assert in_app is True
    finally:
        await _forget(database, [broken, fine])


async def test_a_daily_summary_goes_once_in_the_persons_morning_with_what_is_unread(
    database: Database,
) -> None:
    reader = replace(_person("earlybird"), locale="en")
    clock = Clock(LATE_EVENING)
    rig = Rig(database, [reader], clock)
    summaries = DailySummaries(
        database, rig.directory, rig.store, rig.settings, MailOutlet(rig.settings.mail), clock
    )
    async with database.write() as session:
        await session.execute(
            preferences.insert().values(
                user_id=reader.id, daily_summary=True, timezone="Europe/Moscow"
            )
        )
    try:
        key, _ = await rig.assign(reader, "medium")
        clock.now = MORNING - timedelta(minutes=1)  # 07:59 in Moscow
        assert await summaries.send_due() == 0
        clock.now = MORNING + timedelta(minutes=1)
        assert await summaries.send_due() == 1
        assert await summaries.send_due() == 0  # once a day
        box = Mailbox(f"earlybird+{MAIL_TAG}@example.com")
        mail = await asyncio.to_thread(box.wait_for, lambda _: True, 10, "TEXT", key)
        assert "1 unread" in mail["Subject"]
    finally:
        await _forget(database, [reader])
        async with database.write() as session:
            await session.execute(
                delete(service_marks).where(service_marks.c.name.like(f"summary:{reader.id}:%"))
            )


async def test_a_stop_waits_for_the_mail_in_hand_to_be_recorded_as_sent(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopper = _person("stopper")
    rig = Rig(database, [stopper], Clock(LATE_EVENING))
    real_send = rig.dispatcher.mail.send
    sending = asyncio.Event()

    async def slow_send(*args: Any, **kwargs: Any) -> Any:
        sending.set()
        await asyncio.sleep(1)  # the service is told to stop while the mail is on its way
        return await real_send(*args, **kwargs)

    monkeypatch.setattr(rig.dispatcher.mail, "send", slow_send)
    try:
        key, seq = await rig.assign(stopper, "medium")
        running = asyncio.create_task(rig.dispatcher.run_forever())
        await asyncio.wait_for(sending.wait(), 10)
        rig.dispatcher.stop()
        await asyncio.wait_for(running, 10)
        [mail] = await rig.deliveries(seq)
        assert mail["status"] == "sent", "sent mail is recorded, so no restart sends it again"
        await asyncio.to_thread(_wait_for_stoppers_mail, key)
    finally:
        await _forget(database, [stopper])


def _wait_for_stoppers_mail(key: str) -> Any:
    box = Mailbox(f"stopper+{MAIL_TAG}@example.com")
    return box.wait_for(lambda _: True, 10, "HEADER", "X-Servicedesk-Item", key)
