"""When a message goes out: now, after a digest's quiet spell, or when the person's quiet hours
end. Pure functions of the clock, so tests move time by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from servicedesk.notifications.catalogue import (
    BYPASS_QUIET_HOURS,
    IMMEDIATE,
    URGENT_PRIORITIES,
    Channel,
    Kind,
)
from servicedesk.notifications.decide.preferences import Preferences


@dataclass(frozen=True, slots=True)
class Slot:
    due_at: datetime
    held_until: datetime | None = None  # quiet hours
    digest: bool = False


def quiet_until(prefs: Preferences, now: datetime) -> datetime | None:
    """The end of the person's quiet hours if `now` falls inside them, else None."""
    if not prefs.quiet_enabled or prefs.quiet_start == prefs.quiet_end:
        return None
    local = now.astimezone(ZoneInfo(prefs.timezone))
    start, end, at = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    return _local(day, end, prefs.timezone)


def _local(day: object, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))  # type: ignore[arg-type]


def bypasses_quiet_hours(kind: Kind, priority: str | None) -> bool:
    return kind in BYPASS_QUIET_HOURS or (priority or "") in URGENT_PRIORITIES


def slot(
    kind: Kind,
    channel: Channel,
    priority: str | None,
    prefs: Preferences,
    now: datetime,
    digest_idle_s: float,
) -> Slot:
    digest = channel == Channel.EMAIL and kind not in IMMEDIATE
    due = now + timedelta(seconds=digest_idle_s) if digest else now
    held = None if bypasses_quiet_hours(kind, priority) else quiet_until(prefs, now)
    if held is not None and held > due:
        return Slot(held, held, digest)
    return Slot(due, None, digest)


def digest_due(first_at: datetime, now: datetime, idle_s: float, max_wait_s: float) -> datetime:
    """A digest goes when it has been quiet for `idle_s`, or `max_wait_s` after its first
    change, whichever is sooner."""
    return min(now + timedelta(seconds=idle_s), first_at + timedelta(seconds=max_wait_s))
