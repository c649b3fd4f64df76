"""Incidents: for now the newest 20, enough to show sign-in and the backend calls end to end."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from servicedesk.web.page import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)
NEWEST = 20


@router.get("/incidents", response_class=HTMLResponse)
async def incidents(page: PageDep) -> HTMLResponse:
    found = await page.backend.tickets.get("/api/v1/incidents", params={"limit": NEWEST})
    # htmx asks for the table alone (the refresh button); a browser gets the whole page.
    template = "incidents/_table.html" if page.htmx else "incidents/list.html"
    return page.render(template, incidents=found["items"])
