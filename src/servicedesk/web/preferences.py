"""The user's notification preferences at the notifications service, and their form.

The form is a table of checkboxes, one per event × scope × channel (`cell` = `event:scope:channel`),
with quiet hours, a time zone and the daily summary. Cells the service locks (in-app for
assignments and mentions) are shown checked and disabled, so a browser does not send them: they
are put back here, and the service has the last word (422 naming the field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

API = "/api/v1/preferences"
CELL_SEPARATOR = ":"
# Offered in the time zone list (the user's own is added when it is not among them).
COMMON_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
    "Europe/Minsk",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Baku",
    "Europe/Istanbul",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Dubai",
    "Asia/Shanghai",
    "America/New_York",
    "UTC",
)


class Choice(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.id


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="ignore")

    enabled: bool = False
    start: str = "22:00"
    end: str = "08:00"


class Preferences(BaseModel):
    """What GET/PUT/DELETE /api/v1/preferences answer."""

    model_config = ConfigDict(extra="ignore")

    events: list[Choice] = Field(default_factory=list)
    scopes: list[Choice] = Field(default_factory=list)
    channels: list[Choice] = Field(default_factory=list)
    matrix: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    locked: dict[str, list[str]] = Field(default_factory=dict)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    timezone: str = "Europe/Moscow"
    daily_summary: bool = False
    role: str | None = None

    def is_on(self, event: str, scope: str, channel: str) -> bool:
        return channel in self.matrix.get(event, {}).get(scope, []) or self.is_locked(
            event, channel
        )

    def is_locked(self, event: str, channel: str) -> bool:
        return channel in self.locked.get(event, [])

    def label_of(self, name: str) -> str:
        """An event, scope or channel by its id, in the user's words (for error messages)."""
        for choice in (*self.events, *self.scopes, *self.channels):
            if choice.id == name:
                return choice.shown
        return name


@dataclass(frozen=True, slots=True)
class PreferencesForm:
    """What the form sent, before it is the PUT's body."""

    cells: frozenset[tuple[str, str, str]]
    quiet_enabled: bool
    quiet_start: str
    quiet_end: str
    timezone: str
    daily_summary: bool

    @classmethod
    def parse(cls, form: Any) -> PreferencesForm:
        """From the posted form (a starlette FormData or a mapping of lists)."""
        cells = set()
        for value in _all(form, "cell"):
            parts = str(value).split(CELL_SEPARATOR)
            if len(parts) == 3 and all(parts):
                cells.add((parts[0], parts[1], parts[2]))
        return cls(
            cells=frozenset(cells),
            quiet_enabled=_first(form, "quiet_enabled") == "on",
            quiet_start=_first(form, "quiet_start")[:8],
            quiet_end=_first(form, "quiet_end")[:8],
            timezone=_first(form, "timezone")[:64],
            daily_summary=_first(form, "daily_summary") == "on",
        )

    def body(self, shown: Preferences) -> dict[str, Any]:
        """The PUT's body: every cell of the table shown (empty lists too, so a cell turned
        off is off), the locked cells kept on."""
        matrix = {
            event.id: {
                scope.id: [
                    channel.id
                    for channel in shown.channels
                    if (event.id, scope.id, channel.id) in self.cells
                    or shown.is_locked(event.id, channel.id)
                ]
                for scope in shown.scopes
            }
            for event in shown.events
        }
        return {
            "matrix": matrix,
            "quiet_hours": {
                "enabled": self.quiet_enabled,
                "start": self.quiet_start,
                "end": self.quiet_end,
            },
            "timezone": self.timezone,
            "daily_summary": self.daily_summary,
        }

    def as_sent(self, shown: Preferences) -> Preferences:
        """The preferences as the form had them: shown again when the service refused them."""
        body = self.body(shown)
        return shown.model_copy(
            update={
                "matrix": body["matrix"],
                "quiet_hours": QuietHours(**body["quiet_hours"]),
                "timezone": self.timezone,
                "daily_summary": self.daily_summary,
            }
        )


def _all(form: Any, name: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(name))
    value = form.get(name, [])
    return list(value) if isinstance(value, list | tuple) else [value]


def _first(form: Any, name: str) -> str:
    values = _all(form, name)
    return str(values[0]).strip() if values else ""


def zone_choices(current: str, now: datetime | None = None) -> list[tuple[str, str]]:
    """(zone, "Europe/Moscow (UTC+03:00)") for the common zones and the user's own."""
    moment = now or datetime.now(UTC)
    zones = list(COMMON_ZONES)
    if current and current not in zones:
        zones.insert(0, current)
    choices = []
    for zone in zones:
        try:
            offset = moment.astimezone(ZoneInfo(zone)).strftime("%z")
        except (ZoneInfoNotFoundError, ValueError):
            choices.append((zone, zone))
            continue
        choices.append((zone, f"{zone} (UTC{offset[:3]}:{offset[3:]})"))
    return choices


@dataclass
class PreferencesSection:
    """What the profile's notifications section shows (the template's `prefs`)."""

    preferences: Preferences | None  # None: the notifications service did not answer
    errors: dict[str, str] = field(default_factory=dict)  # by form field
    reasons: list[str] = field(default_factory=list)  # those about cells of the table
    detail: str = ""
    notice: str = ""

    @property
    def unavailable(self) -> bool:
        return self.preferences is None

    @property
    def zones(self) -> list[tuple[str, str]]:
        return zone_choices(self.preferences.timezone if self.preferences else "")


FORM_FIELDS = {
    "quiet_hours.start": "quiet_start",
    "quiet_hours.end": "quiet_end",
    "quiet_hours.enabled": "quiet_enabled",
    "quiet_hours": "quiet_start",
    "timezone": "timezone",
    "daily_summary": "daily_summary",
}


def refusal_for_form(
    field_errors: dict[str, str], shown: Preferences
) -> tuple[dict[str, str], list[str]]:
    """A 422's reasons: those of the form's own fields by field, the table's in words
    ("Упоминания — мои — в приложении: …")."""
    errors: dict[str, str] = {}
    reasons: list[str] = []
    for name, reason in field_errors.items():
        if name.removeprefix("body.") in FORM_FIELDS:
            errors.setdefault(FORM_FIELDS[name.removeprefix("body.")], reason)
            continue
        parts = [p for p in name.removeprefix("body.").split(".") if p and p != "matrix"]
        where = " — ".join(shown.label_of(p) for p in parts)
        reasons.append(f"{where}: {reason}" if where else reason)
    return errors, reasons
