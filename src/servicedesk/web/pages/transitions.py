"""Moving a ticket (an incident, a problem) through its workflow: the form of a transition that
asks for fields, and sending it; a refusal shows the form again with why.

With htmx the form comes and goes alone; without JavaScript the whole ticket page is drawn with
the form open. A 422 keeps htmx swapping, so the reasons land next to the fields.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page
from servicedesk.web.pages.ticket_parts import (
    TransitionChoice,
    assignable_users,
    find_choice,
    transition_body,
    transition_choices,
    transition_errors,
    url,
)

FORM_TEMPLATE = "incidents/_transition_form.html"
REFUSALS_SHOWN = (403, 404, 409, 422)  # the others are error pages


class TransitionForm(BaseModel):
    """What the transition form posts (fields a transition does not ask for stay empty)."""

    transition: str = ""
    resolution: str = ""
    comment: str = ""
    reason: str = ""
    assignee: str = ""

    def values(self) -> dict[str, str]:
        return self.model_dump(exclude={"transition"})


TransitionFormDep = Annotated[TransitionForm, Form()]


class TicketPage(Protocol):
    """Draws a whole ticket page, with a transition's form open when `transition_id` is set."""

    def __call__(
        self, page: Page, key: str, *, status: int = ..., transition_id: str = ..., **extra: Any
    ) -> Awaitable[HTMLResponse]: ...


@dataclass(frozen=True, slots=True)
class TransitionPages:
    """The transition form and its sending for one kind of ticket: `/incidents/{key}/…`."""

    kind: str  # the segment of both the console's and the API's paths: "incidents"
    not_found_code: str  # the API's code for a ticket that is not there: a 404 page, not a form
    ticket_page: TicketPage

    def _api(self, key: str, tail: str = "") -> str:
        return f"/api/v1/{self.kind}/{key}{tail}"

    async def _choice(self, page: Page, key: str, transition_id: str) -> TransitionChoice | None:
        ticket, transitions = await asyncio.gather(
            page.backend.tickets.get(self._api(key)),
            page.backend.tickets.get(self._api(key, "/transitions")),
        )
        choices = transition_choices(transitions, page.lang, bool(ticket.get("assignee_id")))
        return find_choice(choices, transition_id)

    async def form(self, page: Page, key: str, transition_id: str) -> Response:
        """The form of a transition that asks for fields (htmx: the form alone)."""
        if not page.htmx:
            return page.redirect(url(f"/{self.kind}/{key}", transition=transition_id))
        choice = await self._choice(page, key, transition_id)
        return await self._render_form(page, key, choice, 200, {}, {}, "")

    async def send(self, page: Page, key: str, form: TransitionForm) -> Response:
        """Moves the ticket; back to its page, or the form again with the refusal."""
        transition_id, values = form.transition, form.values()
        try:
            await page.backend.tickets.post(
                self._api(key, "/transitions"), json=transition_body(transition_id, values)
            )
        except BackendError as refused:
            if refused.status not in REFUSALS_SHOWN or refused.code == self.not_found_code:
                raise
            return await self._refused(page, key, transition_id, values, refused)
        return page.redirect(f"/{self.kind}/{key}")

    async def _refused(
        self,
        page: Page,
        key: str,
        transition_id: str,
        values: dict[str, str],
        refused: BackendError,
    ) -> HTMLResponse:
        errors = transition_errors(refused) if refused.status == 422 else {}
        detail = "" if errors else refused.detail
        if not page.htmx:
            return await self.ticket_page(
                page,
                key,
                status=422,
                transition_id=transition_id,
                transition_values=values,
                transition_errors=errors,
                transition_detail=detail,
            )
        choice = await self._choice(page, key, transition_id)
        return await self._render_form(page, key, choice, 422, values, errors, detail)

    async def _render_form(
        self,
        page: Page,
        key: str,
        choice: TransitionChoice | None,
        status: int,
        values: dict[str, str],
        errors: dict[str, str],
        detail: str,
    ) -> HTMLResponse:
        return page.render(
            FORM_TEMPLATE,
            status=status,
            choice=choice,
            action=f"/{self.kind}/{key}/transitions",
            cancel=f"/{self.kind}/{key}",
            values=values,
            errors=errors,
            detail=detail or ("" if choice else page.t("incident.transition.gone")),
            users=await assignable_users(page, choice is not None and "assignee" in choice.asks),
        )
