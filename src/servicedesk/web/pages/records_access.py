"""What the boards, clients and orders pages share: they are the agents' tools (the services
answer 403 to anyone else, so the pages do too, before calling them), calls made side by side,
and how a record is marked (ours, migrated from the legacy system, or still only legacy)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import Depends

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep

AGENT_ROLE = "agent"  # composite: supervisors and admins hold it too


async def agent_page(page: PageDep) -> Page:
    """The page of a signed-in agent; anyone else gets the 403 page."""
    if not page.user.has_any_role(AGENT_ROLE):
        raise BackendError(403, page.t("records.agents_only"), "agents-only", service="web")
    return page


AgentPageDep = Annotated[Page, Depends(agent_page)]


async def all_of(*calls: Awaitable[Any]) -> list[Any]:
    """The answers of calls run side by side; the first failure is raised once all are done
    (none is left running or unretrieved)."""
    answers = await asyncio.gather(*calls, return_exceptions=True)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return list(answers)


def mark_of(record: dict[str, Any]) -> str:
    """`legacy` (only the legacy system has it), `migrated` (ours, moved in) or `ours`."""
    if record.get("source") == "legacy":
        return "legacy"
    if record.get("migrated") or record.get("external_id"):
        return "migrated"
    return "ours"


def reference_of(record: dict[str, Any]) -> str:
    """How the proxy names a record: our id, else its legacy id (LC-n, LO-n)."""
    return str(record.get("id") or record.get("external_id") or "")


def marked(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with their `mark` and `ref` for the templates."""
    return [{**r, "mark": mark_of(r), "ref": reference_of(r)} for r in records]
