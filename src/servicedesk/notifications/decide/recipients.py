"""Who hears of a change, about what, and where: the rules, as a pure function.

Candidates are the assignee, the group's members while nobody is assigned, watchers, the
reporter (a user of the realm), people @mentioned, staff who chose to hear of everything, and on
an SLA breach the supervisors the escalation policy names. Each candidate's scopes (mine, group
unassigned, watched, all) and their matrix decide the channels. The actor never hears of their
own change; a reporter never hears of internal notes nor of problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from servicedesk.notifications.catalogue import Channel, Kind, Scope
from servicedesk.notifications.decide.changes import Change
from servicedesk.notifications.decide.preferences import Preferences
from servicedesk.notifications.people import People, Person
from servicedesk.notifications.policy import Escalation

ROLE_PREFIX = "role:"


@dataclass(frozen=True, slots=True)
class Recipient:
    person: Person
    kind: Kind
    channels: frozenset[Channel]
    scopes: frozenset[Scope]
    escalated: bool = False


def _scopes(change: Change, person: Person, watchers: set[str]) -> set[Scope]:
    item = change.item
    scopes: set[Scope] = set()
    if item.assignee == person.username or (item.reporter_id and item.reporter_id == person.id):
        scopes.add(Scope.MINE)
    if item.assignee is None and item.group_id and item.group_id in person.group_ids:
        scopes.add(Scope.GROUP_UNASSIGNED)
    if person.id in watchers:
        scopes.add(Scope.WATCHED)
    if person.is_staff:
        scopes.add(Scope.ALL)
    return scopes


def _may_see(change: Change, person: Person, watchers: set[str]) -> bool:
    if person.is_staff:
        return True
    if change.internal or change.item.aggregate_type != "incident":
        return False
    return change.item.reporter_id == person.id or person.id in watchers


def _kind_for(change: Change, person: Person) -> tuple[Kind, set[Scope]]:
    """The news this person gets, and scopes it counts in whatever their relation."""
    if person.username in change.mentions:
        return Kind.MENTIONED, {Scope.MINE}
    if change.assigned_to and change.assigned_to == person.username:
        return Kind.INCIDENT_ASSIGNED, {Scope.MINE}
    handed_to_group = change.to_group and change.kind in (
        Kind.INCIDENT_CREATED,
        Kind.INCIDENT_UPDATED,
    )
    if handed_to_group and change.item.group_id in person.group_ids:
        return Kind.INCIDENT_ASSIGNED, {Scope.GROUP_UNASSIGNED}
    return change.kind, set()


def supervisors(escalation: Escalation, people: People, group_path: str | None) -> list[Person]:
    found: dict[str, Person] = {}
    for name in escalation.supervisors_for(group_path):
        if name.startswith(ROLE_PREFIX):
            for person in people.holders_of(name[len(ROLE_PREFIX) :]):
                found[person.id] = person
        elif name in people.by_username:
            found[people.by_username[name].id] = people.by_username[name]
    return list(found.values())


def candidates(
    change: Change, people: People, watchers: set[str], wants_all: Callable[[Person, Kind], bool]
) -> dict[str, Person]:
    item = change.item
    found: dict[str, Person] = {}

    def add(person: Person | None) -> None:
        if person is not None:
            found[person.id] = person

    add(people.by_username.get(item.assignee or ""))
    if item.assignee is None:
        for member in people.members_of(item.group_id):
            add(member)
    for user_id in watchers:
        add(people.by_id.get(user_id))
    add(people.by_id.get(item.reporter_id or ""))
    for username in change.mentions:
        add(people.by_username.get(username))
    for person in people.by_id.values():
        if person.id not in found and person.is_staff and wants_all(person, change.kind):
            found[person.id] = person
    return found


def recipients(
    change: Change,
    people: People,
    watchers: set[str],
    prefs_of: Callable[[Person], Preferences],
    escalation: Escalation,
) -> list[Recipient]:
    """Everyone to tell, with their channels ([] channels: their preferences said no)."""

    def wants_all(person: Person, kind: Kind) -> bool:
        return prefs_of(person).wants_all(kind)

    chosen: dict[str, Recipient] = {}
    for person in candidates(change, people, watchers, wants_all).values():
        if person.username == change.actor or not _may_see(change, person, watchers):
            continue
        kind, extra = _kind_for(change, person)
        scopes = _scopes(change, person, watchers) | extra
        channels = prefs_of(person).channels(kind, scopes)
        chosen[person.id] = Recipient(person, kind, frozenset(channels), frozenset(scopes))
    if change.sla_breach:
        group = people.group_paths.get(change.item.group_id or "")
        forced = escalation.channels_for(change.item.priority)
        for person in supervisors(escalation, people, group):
            if person.username == change.actor:
                continue
            mine = chosen.get(person.id)
            escalated = forced | (mine.channels if mine else frozenset())
            chosen[person.id] = Recipient(
                person, Kind.SLA_BREACHED, escalated, frozenset({Scope.ALL}), escalated=True
            )
    return list(chosen.values())
