"""@-mentions in the comment box: the people whose username (or name) starts what was typed.

static/mentions.js asks `/people/mentions?q=<letters after @>` as the user types and shows the
answer as a listbox under the box; choosing one (keyboard or mouse) inserts `@username `. The
people come from the tickets service's directory (those work can be assigned to), which answers
staff only: anyone else gets an empty list. The notifications service tells the people named.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import PageDep
from servicedesk.web.pages.ticket_parts import is_staff

router = APIRouter(tags=["pages"], include_in_schema=False)
USERNAME = re.compile(r"[A-Za-z0-9._-]{0,64}")
SHOWN = 8


def _starting_first(users: list[dict[str, Any]], typed: str) -> list[dict[str, Any]]:
    """Usernames that start with what was typed first, then the other matches (by name)."""
    typed = typed.lower()
    starts = [u for u in users if str(u.get("username", "")).lower().startswith(typed)]
    rest = [u for u in users if u not in starts]
    return (starts + rest)[:SHOWN]


@router.get("/people/mentions", response_class=HTMLResponse)
async def mention_choices(page: PageDep, q: Annotated[str, Query(max_length=64)] = "") -> Response:
    if not page.htmx:
        return RedirectResponse("/", status_code=303)
    users: list[dict[str, Any]] = []
    if USERNAME.fullmatch(q) and is_staff(page):
        params: dict[str, Any] = {"limit": 50, **({"q": q} if q else {})}
        try:
            found = await page.backend.tickets.get("/api/v1/directory/users", params=params)
        except BackendError as failed:
            if failed.status == 401:
                raise
            found = []
        users = _starting_first([u for u in found if u.get("username")], q)
    return page.render("incidents/_mentions.html", users=users, typed=q)
