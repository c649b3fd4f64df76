"""What the ticket forms need: categories, priorities and SLA targets, and the workflows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from servicedesk.kernel.errors import NotFound, problems
from servicedesk.tickets.access import PolicyReader
from servicedesk.tickets.desk import Desk, desk_of
from servicedesk.tickets.workflow import Workflow

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
DeskDep = Annotated[Desk, Depends(desk_of)]


class WorkflowNotFound(NotFound):
    code = "workflow-not-found"


@router.get("/policy")
async def ticket_policy(_: PolicyReader, desk: DeskDep) -> dict[str, Any]:
    """Categories (with labels), impact × urgency → priority, and SLA targets in seconds."""
    policy = desk.policy
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


def _described(flow: Workflow) -> dict[str, Any]:
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


@router.get("/workflows")
async def workflows(_: PolicyReader, desk: DeskDep) -> list[dict[str, Any]]:
    return [_described(flow) for flow in desk.workflows.values()]


@router.get("/workflows/{ticket_type}", responses=problems(WorkflowNotFound))
async def workflow(ticket_type: str, _: PolicyReader, desk: DeskDep) -> dict[str, Any]:
    flow = desk.workflows.get(ticket_type)
    if flow is None:
        raise WorkflowNotFound(f"no workflow for {ticket_type!r}; known: incident, problem")
    return _described(flow)
