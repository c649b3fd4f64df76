"""People on an incident: its reporter, its assignee and its group, checked in Keycloak."""

from __future__ import annotations

import re

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.errors import invalid_field
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.schemas import ReporterContact

ASSIGNABLE_ROLE = "agent"  # composite: supervisors and admins hold it too
REPORTER_ROLE = "reporter"
# How a comment names an outside reporter known by neither a username nor a name.
NAMELESS_REPORTER = "reporter"
AUTHOR_SIZE = 100  # comments.author_username, incidents.updated_by, history.actor


# Token claims and directory attributes are edited in Keycloak, not checked by our schemas:
# what does not fit the incident's columns is cut (names) or left out (the rest).
NAME_SIZE, EMAIL_SIZE = 200, 254
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_DIGITS = re.compile(r"[0-9]{1,16}")


def _fitting(value: str | None, size: int, *, cut: bool = True) -> str | None:
    if not value:
        return None
    if len(value) <= size:
        return value
    return value[:size] if cut else None


def _telegram_id(claim: str | None) -> int | None:
    if claim is None or not _DIGITS.fullmatch(str(claim)):
        return None
    number = int(claim)
    return number if 0 < number < 2**53 else None


async def reporter_of(
    desk: Desk, contact: ReporterContact | None, actor: Principal, incident: Incident
) -> None:
    """The realm user named, else the outside contact given, else the person opening it."""
    if contact is None:
        if actor.is_service:
            raise invalid_field(
                "reporter", _t("a service opening an incident must name its reporter")
            )
        incident.reporter_id, incident.reporter_username = actor.subject, actor.username
        incident.reporter_name = _fitting(actor.name, NAME_SIZE)
        incident.reporter_email = _fitting(actor.email, EMAIL_SIZE, cut=False)
        incident.reporter_phone = (
            actor.phone if actor.phone and _E164.fullmatch(actor.phone) else None
        )
        incident.reporter_telegram_id = _telegram_id(actor.telegram_id)
        return
    if contact.user_id is not None:
        user = await desk.directory.get_user(contact.user_id)
        if user is None:
            reason = _t("no user {user_id!r} in the directory", user_id=contact.user_id)
            raise invalid_field("reporter.user_id", reason)
        incident.reporter_id, incident.reporter_username = user.id, user.username
        incident.reporter_name = _fitting(user.display_name, NAME_SIZE)
        incident.reporter_email = _fitting(user.email, EMAIL_SIZE, cut=False)
    incident.reporter_name = contact.name or incident.reporter_name
    incident.reporter_email = contact.email or incident.reporter_email
    incident.reporter_phone = contact.phone
    incident.reporter_telegram_id = contact.telegram_id


def reporter_label(incident: Incident) -> str:
    """The reporter as an author: their username, else their name, else a neutral label."""
    label = incident.reporter_username or incident.reporter_name or NAMELESS_REPORTER
    return label[:AUTHOR_SIZE]


def acting_reporter(incident: Incident, relay: Principal) -> Principal:
    """The incident's reporter as the one acting when a service relays their reply: holding the
    reporter role only (the workflow's rules for reporters apply), named as on their comment (so
    the history and the events show the reporter), under the relaying service's client."""
    return Principal(
        subject=incident.reporter_id or "",
        username=reporter_label(incident),
        roles=frozenset({REPORTER_ROLE}),
        client_id=relay.client_id,
        token="",  # nobody signed in: it never leaves this service
        name=incident.reporter_name,
        email=incident.reporter_email,
        phone=incident.reporter_phone,
        telegram_id=None
        if incident.reporter_telegram_id is None
        else str(incident.reporter_telegram_id),
    )


async def assignee_of(desk: Desk, user_id: str | None, incident: Incident) -> None:
    if user_id is None:
        incident.assignee_id = incident.assignee_username = None
        return
    user = await desk.directory.get_user(user_id)
    if user is None:
        raise invalid_field("assignee", _t("no user {user_id!r} in the directory", user_id=user_id))
    if ASSIGNABLE_ROLE not in user.roles:
        reason = _t("{username} is not an agent and cannot be assigned", username=user.username)
        raise invalid_field("assignee", reason)
    incident.assignee_id, incident.assignee_username = user.id, user.username


async def group_of(desk: Desk, group_id: str | None, incident: Incident) -> None:
    if group_id is None:
        incident.group_id = incident.group_name = None
        return
    group = await desk.directory.get_group(group_id)
    if group is None:
        raise invalid_field(
            "group", _t("no group {group_id!r} in the directory", group_id=group_id)
        )
    incident.group_id, incident.group_name = group.id, group.name
