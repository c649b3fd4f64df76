"""Problems: the list (open ones, or all) and a problem with its incidents and transitions.

Closing a problem asks for a resolution and is for supervisors (the service lists it to them
only); it closes the problem's open incidents, which the page then shows closed.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages.incident_page import checked_key
from servicedesk.web.pages.ticket_parts import (
    assignable_users,
    find_choice,
    is_staff,
    label_in,
    transition_choices,
    url,
)
from servicedesk.web.pages.transitions import TransitionFormDep, TransitionPages
from servicedesk.web.pages.watching import watch_button

router = APIRouter(tags=["pages"], include_in_schema=False)


async def staff_page(page: PageDep) -> Page:
    """Problems are the staff's (the service answers 403 to reporters): anyone else gets the
    console's 403 page in their language, before the service is asked."""
    if not is_staff(page):
        raise BackendError(403, page.t("problems.staff_only"), "staff-only", service="web")
    return page


StaffPageDep = Annotated[Page, Depends(staff_page)]
PAGE_SIZE = 25
SHOWS = ("open", "all")


@router.get("/problems", response_class=HTMLResponse)
async def problems(
    page: StaffPageDep,
    show: str = "open",
    cursor: Annotated[str, Query(max_length=512)] = "",
) -> HTMLResponse:
    """Newest first, each with its number of incidents; open ones unless asked for all."""
    show = show if show in SHOWS else "open"
    params: dict[str, Any] = {"limit": PAGE_SIZE, "open": show == "open"}
    if cursor:
        params["cursor"] = cursor
    found, policy = await asyncio.gather(
        page.backend.tickets.get("/api/v1/problems", params=params),
        page.backend.tickets.get("/api/v1/policy"),
    )
    next_cursor = found.get("next_cursor")
    template = "problems/_table.html" if page.htmx else "problems/list.html"
    return page.render(
        template,
        problems=found["items"],
        categories=_category_labels(policy, page.lang),
        show=show,
        shows=SHOWS,
        first_url=url("/problems", show=show) if cursor else None,
        next_url=url("/problems", show=show, cursor=next_cursor) if next_cursor else None,
    )


def _category_labels(policy: dict[str, Any], lang: str) -> dict[str, str]:
    return {
        name: label_in(labels, lang, name) for name, labels in policy.get("categories", {}).items()
    }


def _api(key: str, tail: str = "") -> str:
    return f"/api/v1/problems/{key}{tail}"


def _problem_key(key: str) -> str:
    key = checked_key(key)
    return key.upper() if key.lower().startswith("prb-") else key


async def _problem_page(
    page: Page, key: str, *, status: int = 200, transition_id: str = "", **extra: Any
) -> HTMLResponse:
    """The page; with `transition_id`, that transition's form open."""
    tickets = page.backend.tickets
    problem, incidents, transitions, history, policy = await asyncio.gather(
        tickets.get(_api(key)),
        tickets.get(_api(key, "/incidents")),
        tickets.get(_api(key, "/transitions")),
        tickets.get(_api(key, "/history")),
        tickets.get("/api/v1/policy"),
    )
    watch = await watch_button(page, "problem", str(problem["id"]), problem["key"])
    choices = transition_choices(transitions, page.lang, bool(problem.get("assignee_id")))
    choice = find_choice(choices, transition_id) if transition_id else None
    categories = _category_labels(policy, page.lang)
    context: dict[str, Any] = {
        "problem": problem,
        "incidents": incidents,
        "closed_count": sum(1 for i in incidents if i["status"] == "closed"),
        "order_number": next(
            (i["order_number"] for i in incidents if i.get("order_ref") == problem["order_ref"]),
            None,
        ),
        "choices": choices,
        "history": history,
        "watch": watch,
        "category": categories.get(problem["category"], problem["category"]),
        "open_transition": choice,
        "transition_values": {},
        "transition_errors": {},
        "transition_detail": "",
        "users": await assignable_users(page, choice is not None and "assignee" in choice.asks),
    }
    context.update(extra)
    return page.render("problems/page.html", status=status, **context)


TRANSITIONS = TransitionPages("problems", "problem-not-found", _problem_page)


@router.get("/problems/{key}", response_class=HTMLResponse)
async def problem(page: StaffPageDep, key: str, transition: str = "") -> HTMLResponse:
    return await _problem_page(page, _problem_key(key), transition_id=transition)


@router.get("/problems/{key}/transitions/{transition_id}", response_class=HTMLResponse)
async def transition_form(page: StaffPageDep, key: str, transition_id: str) -> Response:
    return await TRANSITIONS.form(page, _problem_key(key), transition_id)


@router.post("/problems/{key}/transitions", response_class=HTMLResponse)
async def make_transition(page: StaffPageDep, key: str, form: TransitionFormDep) -> Response:
    """Moves the problem; closing it closes its open incidents too."""
    return await TRANSITIONS.send(page, _problem_key(key), form)
