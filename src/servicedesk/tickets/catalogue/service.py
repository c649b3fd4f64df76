"""The policy and the workflows described for the ticket forms (labels, matrix, SLA targets in
seconds, states and transitions)."""

from __future__ import annotations

from typing import Any

from servicedesk.kernel.errors import NotFound
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.policy import TicketPolicy
from servicedesk.tickets.workflow.definition import Workflow


class WorkflowNotFound(NotFound):
    code = "workflow-not-found"


def described_policy(policy: TicketPolicy) -> dict[str, Any]:
    return {
        "categories": {k: v.model_dump() for k, v in policy.categories.items()},
        "priorities": list(policy.priorities),
        "priority_matrix": policy.priority_matrix,
        "sla": {
            p: {
                "response_s": int(t.response.total_seconds()),
                "resolution_s": int(t.resolution.total_seconds()),
            }
            for p, t in policy.sla.items()
        },
        "correlation": [
            {"name": r.name, "match": list(r.match), "within_s": int(r.within.total_seconds())}
            for r in policy.correlation
        ],
    }


def described(flow: Workflow) -> dict[str, Any]:
    return {
        "ticket_type": flow.ticket_type,
        "initial": flow.initial,
        "states": [
            {"id": s.id, "label": {"en": s.label.en, "ru": s.label.ru}, "kind": s.kind.value}
            for s in flow.states.values()
        ],
        "transitions": [
            {
                "id": t.id,
                "label": {"en": t.label.en, "ru": t.label.ru},
                "from": sorted(t.source),
                "to": t.target,
                "roles": sorted(t.roles),
                "requires": list(t.requires),
                "actions": list(flow.actions_on(t)),
            }
            for t in flow.transitions.values()
        ],
    }


def workflow_of(desk: Desk, ticket_type: str) -> dict[str, Any]:
    flow = desk.workflows.get(ticket_type)
    if flow is None:
        raise WorkflowNotFound(
            _t("no workflow for {ticket_type!r}; known: incident, problem", ticket_type=ticket_type)
        )
    return described(flow)
