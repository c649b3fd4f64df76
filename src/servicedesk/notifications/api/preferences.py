"""A person's notification preferences: the matrix, quiet hours, time zone, daily summary."""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import APIRouter
from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import InvalidInput, invalid_field, problems
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.i18n.language import current_language
from servicedesk.notifications.api.schemas import (
    Labelled,
    PreferencesIn,
    PreferencesOut,
    QuietHours,
)
from servicedesk.notifications.auth import RealmUser, person_of
from servicedesk.notifications.catalogue import LOCKED, Channel, Kind, Scope
from servicedesk.notifications.decide.preferences import Preferences, matrix_json
from servicedesk.notifications.models import preferences
from servicedesk.notifications.people import Person
from servicedesk.notifications.state import NotificationsState, NotificationsStateDep
from servicedesk.notifications.texts import label

router = APIRouter(prefix="/api/v1/preferences", tags=["preferences"])


def _labelled(prefix: str, values: list[str]) -> list[Labelled]:
    lang = current_language()
    return [Labelled(id=v, label=label(lang, f"notifications.{prefix}.{v}", v)) for v in values]


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def view(prefs: Preferences, person: Person) -> PreferencesOut:
    return PreferencesOut(
        events=_labelled("kind", [k.value for k in Kind]),
        scopes=_labelled("scope", [s.value for s in Scope]),
        channels=_labelled("channel", [c.value for c in Channel]),
        matrix=matrix_json(prefs.matrix),
        locked={k.value: sorted(c.value for c in cs) for k, cs in LOCKED.items()},
        quiet_hours=QuietHours(
            enabled=prefs.quiet_enabled,
            start=_hhmm(prefs.quiet_start),
            end=_hhmm(prefs.quiet_end),
        ),
        timezone=prefs.timezone,
        daily_summary=prefs.daily_summary,
        email_off=sorted(k.value for k in prefs.email_off),
        role=person.main_role,
        custom=prefs.custom,
    )


async def current(
    state: NotificationsState, session: ReadSession | WriteSession, person: Person
) -> Preferences:
    state.store.forget()
    return state.store.of(person, await state.store.stored(session))


def _member(enum: type[Any], value: str, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise invalid_field(field, _t("{value} is not known", value=value)) from None


def checked_matrix(raw: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """The matrix as sent, every name checked; 422 naming the first unknown one, or a locked
    cell turned off."""
    clean: dict[str, dict[str, list[str]]] = {}
    for kind_name, scopes in raw.items():
        kind = _member(Kind, kind_name, f"matrix.{kind_name}")
        cells: dict[str, list[str]] = {}
        for scope_name, channels in scopes.items():
            _member(Scope, scope_name, f"matrix.{kind_name}.{scope_name}")
            chosen = {
                _member(Channel, c, f"matrix.{kind_name}.{scope_name}.{c}").value for c in channels
            }
            cells[scope_name] = sorted(chosen)
        for scope in Scope:
            for locked in LOCKED.get(kind, ()):
                if scope.value in cells and locked.value not in cells[scope.value]:
                    raise invalid_field(
                        f"matrix.{kind_name}.{scope.value}.{locked.value}",
                        _t("cannot be turned off"),
                    )
        clean[kind.value] = cells
    return clean


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_field("timezone", _t("{value} is not a time zone", value=name)) from None
    if name not in available_timezones():
        raise invalid_field("timezone", _t("{value} is not a time zone", value=name))
    return name


@router.get("", response_model=PreferencesOut)
async def get_preferences(
    caller: RealmUser, session: ReadSessionDep, state: NotificationsStateDep
) -> PreferencesOut:
    person = person_of(caller)
    return view(await current(state, session, person), person)


@router.put("", response_model=PreferencesOut, responses=problems(InvalidInput))
async def put_preferences(
    data: PreferencesIn, caller: RealmUser, session: WriteSessionDep, state: NotificationsStateDep
) -> PreferencesOut:
    """Changes what is sent; fields left out keep their value. A matrix sent replaces the
    whole matrix (kinds left out: nothing)."""
    person = person_of(caller)
    values: dict[str, Any] = {}
    if data.matrix is not None:
        values["matrix"] = checked_matrix(data.matrix)
    if data.quiet_hours is not None:
        values["quiet_enabled"] = data.quiet_hours.enabled
        values["quiet_start"] = time.fromisoformat(data.quiet_hours.start)
        values["quiet_end"] = time.fromisoformat(data.quiet_hours.end)
    if data.timezone is not None:
        values["timezone"] = _zone(data.timezone)
    if data.daily_summary is not None:
        values["daily_summary"] = data.daily_summary
    if data.email_off is not None:
        values["email_off"] = sorted({_member(Kind, k, "email_off").value for k in data.email_off})
    if values:
        await session.execute(
            insert(preferences)
            .values(user_id=person.id, **values)
            .on_conflict_do_update(
                index_elements=["user_id"], set_={**values, "updated_at": func.now()}
            )
        )
    return view(await current(state, session, person), person)


@router.delete("", response_model=PreferencesOut)
async def reset_preferences(
    caller: RealmUser, session: WriteSessionDep, state: NotificationsStateDep
) -> PreferencesOut:
    """Back to the role's defaults (quiet hours and time zone too)."""
    person = person_of(caller)
    await session.execute(delete(preferences).where(preferences.c.user_id == person.id))
    return view(await current(state, session, person), person)
