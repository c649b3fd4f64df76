"""What the ticket forms need: categories, priorities and SLA targets, and the workflows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from servicedesk.kernel.errors import problems
from servicedesk.tickets.access import PolicyReader
from servicedesk.tickets.catalogue import service
from servicedesk.tickets.catalogue.service import WorkflowNotFound
from servicedesk.tickets.state import DeskDep

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


@router.get("/policy")
async def ticket_policy(_: PolicyReader, desk: DeskDep) -> dict[str, Any]:
    """Categories (with labels), impact × urgency → priority, and SLA targets in seconds."""
    return service.described_policy(desk.policy)


@router.get("/workflows")
async def workflows(_: PolicyReader, desk: DeskDep) -> list[dict[str, Any]]:
    return [service.described(flow) for flow in desk.workflows.values()]


@router.get("/workflows/{ticket_type}", responses=problems(WorkflowNotFound))
async def workflow(ticket_type: str, _: PolicyReader, desk: DeskDep) -> dict[str, Any]:
    return service.workflow_of(desk, ticket_type)
