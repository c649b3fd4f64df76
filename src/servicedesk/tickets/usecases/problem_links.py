"""Linking an incident to a problem by hand, and unlinking it: the incident changes, the
problem must be open to take it."""

from __future__ import annotations

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.problems import service as problems


async def link(
    session: WriteSession, problem_ref: str, incident_ref: str, actor: Principal
) -> Incident:
    """Links the incident to this open problem (moving it from its previous one)."""
    problem = await problems.problem_at(session, problem_ref, lock=True)
    incident = await incidents.incident_for(session, incident_ref, actor, lock=True)
    problems.require_open(problem)
    if incident.problem_id == problem.id:
        return incident
    old = incident.problem_id
    incident.problem_id = problem.id
    await incidents.touched(
        session, incident, actor, [("problem", old, problem.id)], _t("linked by hand")
    )
    return incident


async def unlink(
    session: WriteSession, problem_ref: str, incident_ref: str, actor: Principal
) -> Incident:
    problem = await problems.problem_at(session, problem_ref, lock=True)
    incident = await incidents.incident_for(session, incident_ref, actor, lock=True)
    if incident.problem_id != problem.id:
        key = problems.key_of(problem)
        raise NotFound(_t("incident is not linked to problem {key}", key=key))
    incident.problem_id = None
    changes: list[tuple[str, object, object]] = [("problem", problem.id, None)]
    await incidents.touched(session, incident, actor, changes, _t("unlinked by hand"))
    return incident
