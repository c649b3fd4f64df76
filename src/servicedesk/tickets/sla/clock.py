"""The SLA clock of an incident: due times from the policy, paused while waiting.

Workflow actions drive the clock: sla.respond, sla.pause, sla.resume, sla.stop, sla.restart. A
pause moves the pending due times later by its length when it ends.

Each target also has a warn-at time, the policy's share (`sla_warning_at`) of the target's
working time after the clock started. It follows its due time: set with it, moved with it by a
pause, a restart or a new priority (by the same share of the change of target).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.policy import TicketPolicy

SLA_ACTIONS = ("sla.respond", "sla.pause", "sla.resume", "sla.stop", "sla.restart")


def start_clock(incident: Incident, policy: TicketPolicy, now: datetime) -> None:
    target = policy.sla[incident.priority]
    incident.response_due_at = now + target.response
    incident.resolution_due_at = now + target.resolution
    incident.response_warn_at = now + policy.warning_after(target.response)
    incident.resolution_warn_at = now + policy.warning_after(target.resolution)


def retarget(incident: Incident, policy: TicketPolicy, old_priority: str) -> None:
    """A new priority swaps the targets but keeps the time already spent and paused."""
    old, new = policy.sla[old_priority], policy.sla[incident.priority]
    if incident.responded_at is None:
        _move_response(incident, new.response - old.response, policy)
    if incident.resolved_at is None:
        _move_resolution(incident, new.resolution - old.resolution, policy)


def _move_response(incident: Incident, by: timedelta, policy: TicketPolicy | None = None) -> None:
    """Later by `by`; the warn-at time by the policy's share of it when the target itself
    changes (`policy`), else by all of it."""
    if incident.response_due_at is not None:
        incident.response_due_at += by
    if incident.response_warn_at is not None:
        incident.response_warn_at += policy.warning_after(by) if policy else by


def _move_resolution(incident: Incident, by: timedelta, policy: TicketPolicy | None = None) -> None:
    if incident.resolution_due_at is not None:
        incident.resolution_due_at += by
    if incident.resolution_warn_at is not None:
        incident.resolution_warn_at += policy.warning_after(by) if policy else by


def _shift_pending(incident: Incident, by: timedelta) -> None:
    if incident.responded_at is None:
        _move_response(incident, by)
    if incident.resolved_at is None:
        _move_resolution(incident, by)


def _resume(incident: Incident, now: datetime) -> None:
    if incident.sla_paused_at is not None:
        _shift_pending(incident, now - incident.sla_paused_at)
        incident.sla_paused_at = None


def apply_action(incident: Incident, action: str, now: datetime) -> None:
    if action == "sla.respond":
        incident.responded_at = incident.responded_at or now
    elif action == "sla.pause":
        incident.sla_paused_at = incident.sla_paused_at or now
    elif action == "sla.resume":
        _resume(incident, now)
    elif action == "sla.stop":
        _resume(incident, now)
        incident.responded_at = incident.responded_at or now
        incident.resolved_at = incident.resolved_at or now
    elif action == "sla.restart":
        _resume(incident, now)
        if incident.resolved_at is not None:
            _move_resolution(incident, now - incident.resolved_at)
        incident.resolved_at = None
    else:
        raise ValueError(f"unknown SLA action {action!r}")
