"""The events of the notifications burst: what the tickets service would publish while 1,000
incidents of the bench realm's lines are created, reassigned, commented on and moved through
their workflow, as typed CloudEvents (checked against their contracts here).

Every incident's events come in its own order (created first, versions rising), and the
incidents are interleaved at random, as a busy desk's outbox would send them. Event ids are
random UUIDs whose first 32 bits are `EVENT_ID_PREFIX`, so the bench's rows in
`processed_messages` are found by them whatever run left them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.notifications_people import LINES, Person, Realm
from servicedesk.contracts import (
    CONTRACTS,
    CloudEvent,
    IncidentCommentedV1,
    IncidentCreatedV1,
    IncidentStatusChangedV1,
    IncidentUpdatedV1,
    source_of,
)
from servicedesk.contracts.envelope import JSON

EVENT_ID_PREFIX = 0x5DBE0C40
EVENT_ID_LIKE = f"{EVENT_ID_PREFIX:08x}-%"
CREATED = IncidentCreatedV1.contract.type
UPDATED = IncidentUpdatedV1.contract.type
COMMENTED = IncidentCommentedV1.contract.type
STATUS_CHANGED = IncidentStatusChangedV1.contract.type
# After the creation: 2 edits (mostly of the assignee), 4 comments, 3 transitions in 9.
FOLLOW_UPS = ((UPDATED, 2), (COMMENTED, 4), (STATUS_CHANGED, 3))
PRIORITIES = (("low", 3), ("medium", 5), ("high", 2), ("critical", 1))
CATEGORIES = ("access", "hardware", "software", "network", "billing", "other")
TITLES = (
    "Не печатает принтер на 3 этаже",
    "VPN disconnects every few minutes",
    "Нет доступа к порталу заказов",
    "Outlook does not start",
    "Медленно работает 1С",
    "Wi-Fi in the meeting room is down",
)
# Transitions of the incident workflow (src/servicedesk/tickets/config/workflows/incident.yaml).
NEXT: dict[str, tuple[tuple[str, str], ...]] = {
    "new": (("start", "in_progress"), ("resolve", "resolved")),
    "in_progress": (("ask_reporter", "waiting_for_reporter"), ("resolve", "resolved")),
    "waiting_for_reporter": (("resume", "in_progress"),),
    "resolved": (("reopen", "in_progress"), ("close", "closed")),
    "closed": (("reopen", "in_progress"),),
}


def event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=(EVENT_ID_PREFIX << 96) | rng.getrandbits(96)))


@dataclass(slots=True)
class BenchEvent:
    id: str
    type: str
    incident_id: uuid.UUID
    version: int
    actor: str
    data: dict[str, Any]
    offset: float  # its place in the run: the events are published in this order
    time: float = 0.0  # when published (epoch seconds): the event's `time`

    def cloud_event(self, at: datetime) -> CloudEvent:
        """As the outbox relay sends it (kernel.outbox.row_event), with `time` = `at`."""
        return CloudEvent(
            id=self.id,
            source=source_of("tickets"),
            type=self.type,
            subject=str(self.incident_id),
            time=at,
            datacontenttype=JSON,
            data=self.data,
            requestid=self.id,
            aggregatetype="incident",
            actor=self.actor,
        )


@dataclass(slots=True)
class Ticket:
    """An incident as the bench moves it along."""

    id: uuid.UUID
    number: int
    title: str
    priority: str
    category: str
    reporter: Person | None  # a user of the realm, else someone from outside (Telegram)
    line: str
    assignee: str | None = None
    status: str = "new"
    version: int = 1
    events: list[BenchEvent] = field(default_factory=list)

    def snapshot(self, group_ids: dict[str, str]) -> dict[str, Any]:
        person = self.reporter
        outside = 700_000_000 + self.number
        reporter = {
            "id": person.id if person else None,
            "username": person.username if person else None,
            "name": person.username if person else f"Клиент {self.number}",
            "email": person.email if person else None,
            "phone": None,
            "telegram_id": None if person else outside,
        }
        return {
            "id": str(self.id),
            "key": f"INC-{self.number:06d}",
            "title": self.title,
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "channel": "web" if person else "telegram",
            "reporter": reporter,
            "assignee_username": self.assignee,
            "group_id": group_ids[self.line],
            "client_ref": None,
            "order_ref": None,
            "problem_id": None,
            "version": self.version,
        }


class Desk:
    """Makes one incident's events, drawing people from the bench realm."""

    def __init__(self, realm: Realm, rng: random.Random) -> None:
        self.realm = realm
        self.rng = rng
        self.staff = [p for p in realm.people if p.is_staff]
        self.supervisors = realm.of_role("supervisor")
        self.reporters = realm.of_role("reporter")
        self.lines = {line: realm.of_line(line) for line in LINES}

    def agent(self, line: str, besides: str | None = None) -> str:
        names = [p.username for p in self.lines[line] if p.username != besides]
        return self.rng.choice(names)

    def emit(self, ticket: Ticket, type_: str, actor: str, **details: Any) -> None:
        data = {**ticket.snapshot(self.realm.group_ids), **details}
        CONTRACTS.validate_incoming(type_, data)  # what the consumer will check
        ticket.events.append(
            BenchEvent(event_id(self.rng), type_, ticket.id, ticket.version, actor, data, 0.0)
        )

    def create(self, ticket: Ticket) -> None:
        """Reported by a realm user (half) or from Telegram; 40% assigned at once, else
        handed to the line (its 20 agents hear of it)."""
        actor = ticket.reporter.username if ticket.reporter else self.agent(ticket.line)
        if self.rng.random() < 0.4:
            ticket.assignee = self.agent(ticket.line, besides=actor)
        self.emit(ticket, CREATED, actor)

    def update(self, ticket: Ticket) -> None:
        """60% a new assignee in the line, 20% handed to another line, 20% another field."""
        ticket.version += 1
        actor = self.rng.choice([*self.supervisors, *self.lines[ticket.line]]).username
        roll = self.rng.random()
        if roll < 0.6:
            ticket.assignee = self.agent(ticket.line, besides=ticket.assignee)
            changed = ["assignee_username"]
        elif roll < 0.8:
            ticket.line = self.rng.choice([line for line in LINES if line != ticket.line])
            ticket.assignee = None
            changed = ["assignee_username", "group_id"]
        else:
            ticket.priority = self.rng.choice([p for p, _ in PRIORITIES])
            changed = ["priority"]
        self.emit(ticket, UPDATED, actor, changed=changed)

    def comment(self, ticket: Ticket) -> None:
        """By the assignee or an agent of the line, or by the reporter; a fifth internal;
        30% mention one or two staff members."""
        ticket.version += 1
        by_reporter = ticket.reporter is not None and self.rng.random() < 0.2
        if by_reporter and ticket.reporter is not None:
            author = ticket.reporter.username
        else:
            author = ticket.assignee or self.agent(ticket.line)
        internal = not by_reporter and self.rng.random() < 0.2
        body = self.rng.choice(("Проверил, проблема воспроизводится.", "Any news on this?"))
        if self.rng.random() < 0.3:
            named = self.rng.sample(self.staff, self.rng.choice((1, 2)))
            body += " " + " ".join(f"@{p.username}" for p in named) + " посмотрите, пожалуйста"
        self.emit(
            ticket,
            COMMENTED,
            author,
            comment_id=str(uuid.UUID(int=self.rng.getrandbits(128))),
            visibility="internal" if internal else "public",
            author=author,
            body=body,
            from_reporter=by_reporter,
        )

    def transition(self, ticket: Ticket) -> None:
        """The next step of its workflow; taking a new one assigns the taker."""
        ticket.version += 1
        name, to_status = self.rng.choice(NEXT[ticket.status])
        actor = ticket.assignee or self.agent(ticket.line)
        if name == "start" and ticket.assignee is None:
            ticket.assignee = actor
        from_status, ticket.status = ticket.status, to_status
        resolution = "fixed" if to_status == "resolved" else None
        self.emit(
            ticket,
            STATUS_CHANGED,
            actor,
            transition=name,
            from_status=from_status,
            to_status=to_status,
            resolution=resolution,
        )


def make_events(realm: Realm, incidents: int, events: int, rng: random.Random) -> list[BenchEvent]:
    """`events` events over `incidents` incidents, interleaved, each incident's in order."""
    desk = Desk(realm, rng)
    first_number = rng.randrange(100_000, 900_000)
    kinds = [kind for kind, _ in FOLLOW_UPS]
    weights = [weight for _, weight in FOLLOW_UPS]
    steps = {UPDATED: desk.update, COMMENTED: desk.comment, STATUS_CHANGED: desk.transition}
    made: list[BenchEvent] = []
    for n in range(incidents):
        count = events // incidents + (1 if n < events % incidents else 0)
        ticket = Ticket(
            id=uuid.UUID(int=rng.getrandbits(128)),
            number=first_number + n,
            title=rng.choice(TITLES),
            priority=rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0],
            category=rng.choice(CATEGORIES),
            reporter=rng.choice(desk.reporters) if rng.random() < 0.5 else None,
            line=rng.choice(LINES),
        )
        desk.create(ticket)
        for kind in rng.choices(kinds, weights, k=count - 1):
            steps[kind](ticket)
        offsets = sorted(rng.random() for _ in ticket.events)
        for event, offset in zip(ticket.events, offsets, strict=True):
            event.offset = offset
        made.extend(ticket.events)
    made.sort(key=lambda e: e.offset)
    return made
