"""The rules of incidents: registration (idempotent, with its problem), and edits."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed
from servicedesk.tickets import problems
from servicedesk.tickets.access import is_staff, require_staff
from servicedesk.tickets.assignment import assignee_of, group_of, reporter_of
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.events import INCIDENT_CREATED, INCIDENT_UPDATED, incident_event
from servicedesk.tickets.history import Change, record_changes
from servicedesk.tickets.models import IdempotencyKey, Incident
from servicedesk.tickets.references import ClientSnapshot, OrderSnapshot
from servicedesk.tickets.schemas import IncidentCreate, IncidentPatch
from servicedesk.tickets.sla import retarget, start_clock


class IncidentNotFound(NotFound):
    code = "incident-not-found"


class StaleIncident(PreconditionFailed):
    code = "stale-incident"


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency-key-reused"


def invalid(field: str, reason: str, location: str = "body") -> InvalidInput:
    return InvalidInput(
        f"{field}: {reason}",
        extra={"errors": [{"field": field, "location": location, "reason": reason}]},
    )


@dataclass(frozen=True, slots=True)
class Registered:
    incident: Incident
    replayed: bool


def _request_hash(data: IncidentCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replay(
    session: WriteSession, scope: str, key: str, request_hash: str
) -> Incident | None:
    lock = f"tickets-idempotency:{scope}:{key}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(lock, 0))))
    seen = await session.get(IdempotencyKey, (scope, key))
    if seen is None:
        return None
    if seen.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "Idempotency-Key: this key was used for a different incident; use a new key",
            extra={
                "errors": [
                    {
                        "field": "Idempotency-Key",
                        "location": "header",
                        "reason": "reused with a different request",
                    }
                ]
            },
        )
    return await session.get(Incident, seen.incident_id)


async def check_category(desk: Desk, category: str) -> None:
    if category not in desk.policy.categories:
        known = ", ".join(desk.policy.categories)
        raise invalid("category", f"unknown category {category!r}; known: {known}")


async def check_client(desk: Desk, reference: str) -> ClientSnapshot:
    client = await desk.references.client(reference)
    if client is None:
        raise invalid("client", f"no client {reference!r} in our records or the legacy system")
    return client


async def check_order(
    desk: Desk, reference: str, client: ClientSnapshot | None
) -> tuple[OrderSnapshot, ClientSnapshot | None]:
    order = await desk.references.order(reference)
    if order is None:
        raise invalid("order", f"no order {reference!r} in our records or the legacy system")
    if client is not None and order.client_ref and not client.is_named_by(order.client_ref):
        raise invalid("order", f"order {order.number} belongs to another client")
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


async def register(
    session: WriteSession,
    desk: Desk,
    data: IncidentCreate,
    actor: Principal,
    idempotency_key: str | None,
) -> Registered:
    """A new incident with its problem (found by correlation, else opened), once per key."""
    request_hash = _request_hash(data)
    if idempotency_key is not None:
        replayed = await _replay(session, actor.subject, idempotency_key, request_hash)
        if replayed is not None:
            return Registered(replayed, replayed=True)
    if not is_staff(actor) and (data.assignee or data.group or data.reporter):
        raise Forbidden("reporters open incidents for themselves, unassigned")
    await check_category(desk, data.category)
    client = await check_client(desk, data.client) if data.client else None
    order = None
    if data.order:
        order, client = await check_order(desk, data.order, client)
    now = datetime.now(UTC)
    incident = Incident(
        id=uuid.uuid4(),
        number=await session.scalar(select(func.nextval("tickets.incident_numbers"))),
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
    problem, rule = await problems.problem_for(session, desk, incident, actor, now)
    incident.problem_id = problem.id
    session.add(incident)
    await session.flush()
    note = f"registered via {incident.channel}"
    await record_changes(
        session, "incident", incident.id, actor.username, [("status", None, incident.status)], note
    )
    link_note = f"joined by rule {rule}" if rule else "its own new problem"
    await record_changes(
        session, "incident", incident.id, actor.username, [("problem", None, problem.id)], link_note
    )
    if idempotency_key is not None:
        session.add(
            IdempotencyKey(
                scope=actor.subject,
                key=idempotency_key,
                request_hash=request_hash,
                incident_id=incident.id,
            )
        )
    await incident_event(session, INCIDENT_CREATED, incident, problem_key=problems.key_of(problem))
    return Registered(incident, replayed=False)


def _set_priority(incident: Incident, desk: Desk) -> None:
    incident.priority = desk.policy.priority_of(incident.impact, incident.urgency)
    incident.priority_rank = desk.policy.rank_of(incident.priority)


async def find_incident(session: Any, reference: str) -> Incident | None:
    """By id or by key (INC-000123)."""
    found: Incident | None
    try:
        found = await session.get(Incident, uuid.UUID(reference))
    except ValueError:
        number = _KEY.fullmatch(reference)
        if number is None:
            return None
        found = await session.scalar(
            select(Incident).where(Incident.number == int(number.group(1)))
        )
    return found


# INC-000123 (or the bare number): ASCII digits only, and few enough to fit a bigint.
_KEY = re.compile(r"(?:INC-)?0*([0-9]{1,18})", re.IGNORECASE | re.ASCII)


async def incident_for(
    session: Any, reference: str, principal: Principal, *, lock: bool = False
) -> Incident:
    incident = await find_incident(session, reference)
    if incident is None or not (is_staff(principal) or incident.reporter_id == principal.subject):
        raise IncidentNotFound(f"incident {reference} does not exist")
    if lock:
        await session.refresh(incident, with_for_update=True)
    return incident


async def update(
    session: WriteSession,
    desk: Desk,
    reference: str,
    patch: IncidentPatch,
    expected_version: int,
    actor: Principal,
) -> Incident:
    require_staff(actor, "edit incidents")
    incident = await incident_for(session, reference, actor, lock=True)
    if incident.version != expected_version:
        raise StaleIncident(
            f"incident is at version {incident.version}, not {expected_version}",
            extra={"current_version": incident.version},
            headers={"ETag": f'"{incident.version}"'},
        )
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
        raise invalid(
            "client",
            f"the incident's order {order.number} belongs to another client; "
            "change or clear the order as well",
        )
