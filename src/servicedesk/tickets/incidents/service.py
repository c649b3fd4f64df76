"""The rules of incidents: a new incident checked and filled in, reads for a user, and edits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    invalid_field,
)
from servicedesk.kernel.etags import stale_version
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.access import is_staff, may_see, require_staff
from servicedesk.tickets.db import AnySession
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.fields import INCIDENT_PREFIX, key_number
from servicedesk.tickets.history.service import Change, record_changes
from servicedesk.tickets.incidents import repository
from servicedesk.tickets.incidents.events import INCIDENT_UPDATED, incident_event
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.incidents.people import assignee_of, group_of, reporter_of
from servicedesk.tickets.incidents.repository import IncidentFilter
from servicedesk.tickets.incidents.schemas import IncidentCreate, IncidentPatch
from servicedesk.tickets.references import ClientSnapshot, OrderSnapshot
from servicedesk.tickets.sla.clock import retarget, start_clock


class IncidentNotFound(NotFound):
    code = "incident-not-found"


class StaleIncident(PreconditionFailed):
    code = "stale-incident"


# ---- registration -------------------------------------------------------------------------


async def new_incident(
    session: WriteSession, desk: Desk, data: IncidentCreate, actor: Principal, now: datetime
) -> Incident:
    """The incident the request describes, checked (not yet added to the session)."""
    if not is_staff(actor) and (data.assignee or data.group or data.reporter):
        raise Forbidden(_t("reporters open incidents for themselves, unassigned"))
    await check_category(desk, data.category)
    client = await check_client(desk, data.client) if data.client else None
    order = None
    if data.order:
        order, client = await check_order(desk, data.order, client)
    incident = Incident(
        id=uuid.uuid4(),
        number=await repository.next_number(session),
        title=data.title,
        description=data.description,
        category=data.category,
        impact=data.impact.value,
        urgency=data.urgency.value,
        channel=data.channel.value,
        status=desk.incident_flow.initial,
        status_changed_at=now,
        version=1,
        created_at=now,
        updated_at=now,
        created_by=actor.username,
        updated_by=actor.username,
    )
    _set_priority(incident, desk)
    await reporter_of(desk, data.reporter, actor, incident)
    _set_client(incident, client)
    _set_order(incident, order)
    if data.assignee:
        await assignee_of(desk, data.assignee, incident)
    if data.group:
        await group_of(desk, data.group, incident)
    start_clock(incident, desk.policy, now)
    return incident


async def check_category(desk: Desk, category: str) -> None:
    if category not in desk.policy.categories:
        known = ", ".join(desk.policy.categories)
        reason = _t("unknown category {category!r}; known: {known}", category=category, known=known)
        raise invalid_field("category", reason)


async def check_client(desk: Desk, reference: str) -> ClientSnapshot:
    client = await desk.references.client(reference)
    if client is None:
        reason = _t(
            "no client {reference!r} in our records or the legacy system", reference=reference
        )
        raise invalid_field("client", reason)
    return client


async def check_order(
    desk: Desk, reference: str, client: ClientSnapshot | None
) -> tuple[OrderSnapshot, ClientSnapshot | None]:
    order = await desk.references.order(reference)
    if order is None:
        reason = _t(
            "no order {reference!r} in our records or the legacy system", reference=reference
        )
        raise invalid_field("order", reason)
    if client is not None and order.client_ref and not client.is_named_by(order.client_ref):
        raise invalid_field(
            "order", _t("order {number} belongs to another client", number=order.number)
        )
    if client is None and order.client_ref:
        client = await desk.references.client(order.client_ref)
    return order, client


def _set_client(incident: Incident, client: ClientSnapshot | None) -> None:
    incident.client_ref = client.ref if client else None
    incident.client_name = client.display_name if client else None
    incident.client_source = client.source if client else None


def _set_order(incident: Incident, order: OrderSnapshot | None) -> None:
    incident.order_ref = order.ref if order else None
    incident.order_number = order.number if order else None


def _set_priority(incident: Incident, desk: Desk) -> None:
    incident.priority = desk.policy.priority_of(incident.impact, incident.urgency)
    incident.priority_rank = desk.policy.rank_of(incident.priority)


# ---- reads --------------------------------------------------------------------------------


async def find_incident(session: AnySession, reference: str) -> Incident | None:
    """By id or by key (INC-000123)."""
    try:
        return await repository.by_id(session, uuid.UUID(reference))
    except ValueError:
        number = key_number(INCIDENT_PREFIX, reference)
        return None if number is None else await repository.by_number(session, number)


async def incident_for(
    session: AnySession, reference: str, principal: Principal, *, lock: bool = False
) -> Incident:
    """The incident the user may see (a reporter: their own), else a 404; locked if asked."""
    incident = await find_incident(session, reference)
    if incident is None or not may_see(principal, incident):
        raise IncidentNotFound(_t("incident {reference} does not exist", reference=reference))
    if lock:
        await repository.lock(session, incident)
    return incident


def listing(
    actor: Principal,
    status: list[str],
    priority: list[str],
    category: list[str],
    channel: list[str],
    assignee: str | None,
    group: str | None,
    problem: uuid.UUID | None,
    client: str | None,
    q: str | None,
    *,
    reporter: str | None = None,
    reporter_telegram_id: int | None = None,
    reporter_phone: str | None = None,
) -> IncidentFilter:
    """The list's filter for this user: a reporter sees their own incidents, no internal notes;
    `assignee` may be a username, `me` or `none`. Only staff filter by reporter (a realm user,
    or an outside contact's Telegram id or phone)."""
    staff = is_staff(actor)
    if (reporter, reporter_telegram_id, reporter_phone) != (None, None, None):
        require_staff(actor, _t("filter incidents by their reporter"))
    unassigned = assignee == "none"
    if assignee == "me":
        assignee = actor.username
    return IncidentFilter(
        status=tuple(status),
        priority=tuple(priority),
        category=tuple(category),
        channel=tuple(channel),
        assignee=None if unassigned else assignee,
        unassigned=unassigned,
        group_id=group,
        reporter_id=reporter if staff else actor.subject,
        reporter_telegram_id=reporter_telegram_id,
        reporter_phone=reporter_phone,
        problem_id=problem,
        client_ref=client,
        text=q,
        include_internal=staff,
    )


async def page(
    session: ReadSession,
    found: IncidentFilter,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Incident]:
    """Newest first, after the position given."""
    return await repository.incident_page(session, found, after, limit)


async def of_problem(session: ReadSession, problem_id: uuid.UUID, limit: int) -> list[Incident]:
    return await repository.incident_page(
        session, IncidentFilter(problem_id=problem_id), None, limit
    )


# ---- edits --------------------------------------------------------------------------------


async def update(
    session: WriteSession,
    desk: Desk,
    reference: str,
    patch: IncidentPatch,
    expected_version: int,
    actor: Principal,
) -> Incident:
    require_staff(actor, _t("edit incidents"))
    incident = await incident_for(session, reference, actor, lock=True)
    if incident.version != expected_version:
        raise stale_version(StaleIncident, _t("incident"), incident.version, expected_version)
    changes = await _apply_patch(desk, incident, patch)
    if not changes:
        return incident
    incident.version += 1
    incident.updated_at = datetime.now(UTC)
    incident.updated_by = actor.username
    await record_changes(session, "incident", incident.id, actor.username, changes)
    await session.flush()
    await incident_event(session, INCIDENT_UPDATED, incident, changed=[c[0] for c in changes])
    return incident


async def touched(
    session: WriteSession, incident: Incident, actor: Principal, changes: list[Change], note: str
) -> None:
    """A change made to the incident from elsewhere (its problem): a new version, its history
    and an incident.updated event naming the fields changed."""
    incident.version += 1
    incident.updated_at = datetime.now(UTC)
    incident.updated_by = actor.username
    await record_changes(session, "incident", incident.id, actor.username, changes, note)
    await session.flush()
    changed = [field for field, _, _ in changes]
    await incident_event(session, INCIDENT_UPDATED, incident, changed=changed)


async def _apply_patch(desk: Desk, incident: Incident, patch: IncidentPatch) -> list[Change]:
    sent = patch.model_fields_set
    before = {name: getattr(incident, name) for name in _WATCHED}
    for name in ("title", "description", "impact", "urgency"):
        if name in sent:
            setattr(incident, name, str(getattr(patch, name)))
    if "category" in sent and patch.category:
        await check_category(desk, patch.category)
        incident.category = patch.category
    if sent & {"client", "order"}:
        await _patch_references(desk, incident, patch)
    if "assignee" in sent:
        await assignee_of(desk, patch.assignee, incident)
    if "group" in sent:
        await group_of(desk, patch.group, incident)
    old_priority = incident.priority
    _set_priority(incident, desk)
    if incident.priority != old_priority:
        retarget(incident, desk.policy, old_priority)
    after = {name: getattr(incident, name) for name in _WATCHED}
    return [(name, before[name], after[name]) for name in _WATCHED if before[name] != after[name]]


_WATCHED = (
    "title",
    "description",
    "category",
    "impact",
    "urgency",
    "priority",
    "client_ref",
    "client_name",
    "order_ref",
    "order_number",
    "assignee_username",
    "group_name",
)


async def _patch_references(desk: Desk, incident: Incident, patch: IncidentPatch) -> None:
    sent = patch.model_fields_set
    client = None
    if "client" in sent:
        client = await check_client(desk, patch.client) if patch.client else None
        _set_client(incident, client)
    elif incident.client_ref:
        client = await desk.references.client(incident.client_ref)
    if "order" in sent:
        order = None
        if patch.order:
            order, client = await check_order(desk, patch.order, client)
            _set_client(incident, client)
        _set_order(incident, order)
    elif "client" in sent and incident.order_ref:
        await _check_kept_order(desk, incident.order_ref, client)


async def _check_kept_order(desk: Desk, order_ref: str, client: ClientSnapshot | None) -> None:
    """A new client (or none) must still be the client of the order the incident keeps."""
    order = await desk.references.order(order_ref)
    if order is None or not order.client_ref:
        return
    if client is None or not client.is_named_by(order.client_ref):
        raise invalid_field(
            "client",
            _t(
                "the incident's order {number} belongs to another client; "
                "change or clear the order as well",
                number=order.number,
            ),
        )


async def open_of_problem(
    session: WriteSession, problem_id: uuid.UUID, open_states: list[str]
) -> list[Incident]:
    """The problem's incidents still open, locked, by number."""
    return await repository.open_of_problem(session, problem_id, open_states)
