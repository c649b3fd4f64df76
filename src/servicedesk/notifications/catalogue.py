"""What a person can be told about (kinds), in which relation to the item (scopes), and where
(channels): the three axes of the preference matrix."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    INCIDENT_CREATED = "incident_created"
    INCIDENT_ASSIGNED = "incident_assigned"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_COMMENTED = "incident_commented"
    INCIDENT_STATUS_CHANGED = "incident_status_changed"
    MENTIONED = "mentioned"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    PROBLEM_CREATED = "problem_created"
    PROBLEM_CLOSED = "problem_closed"


class Scope(StrEnum):
    MINE = "mine"  # assigned to me, or reported by me
    GROUP_UNASSIGNED = "group_unassigned"  # my group's, nobody's yet
    WATCHED = "watched"
    ALL = "all"  # anything (staff only)


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    TELEGRAM = "telegram"
    SMS = "sms"


EXTERNAL_CHANNELS = (Channel.EMAIL, Channel.TELEGRAM, Channel.SMS)

# In-app cannot be turned off for these (Zammad keeps in-app always on; we keep it for the two
# a person must never miss).
LOCKED: dict[Kind, frozenset[Channel]] = {
    Kind.INCIDENT_ASSIGNED: frozenset({Channel.IN_APP}),
    Kind.MENTIONED: frozenset({Channel.IN_APP}),
}

# Sent at once, never batched into a digest (Jira: mentions and assignments go out immediately).
IMMEDIATE: frozenset[Kind] = frozenset(
    {Kind.INCIDENT_ASSIGNED, Kind.MENTIONED, Kind.SLA_WARNING, Kind.SLA_BREACHED}
)

# Let through quiet hours whatever the priority.
BYPASS_QUIET_HOURS: frozenset[Kind] = frozenset({Kind.SLA_BREACHED})
URGENT_PRIORITIES: frozenset[str] = frozenset({"critical"})

STAFF_ROLES = ("admin", "supervisor", "agent")  # in the order a person's main role is chosen
ROLES = (*STAFF_ROLES, "reporter")

Matrix = dict[Kind, dict[Scope, frozenset[Channel]]]
