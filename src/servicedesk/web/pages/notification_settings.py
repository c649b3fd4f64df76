"""The profile's "Notifications" section: what the user hears of, where, and when.

Saved with PUT /api/v1/preferences; a refusal (422) shows the form again as it was sent, with
the service's reasons by the fields they are about; "Reset to defaults" is DELETE (the role's
defaults). With htmx the section alone is swapped; without, a saved form goes back to the
profile (the notice as a one-time flash) and a refused one is shown on a page of its own.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.preferences import (
    API,
    Preferences,
    PreferencesForm,
    PreferencesSection,
    refusal_for_form,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], include_in_schema=False)
SECTION_URL = "/profile#notifications"
FLASH = "notification-preferences"


def _parsed(data: object) -> Preferences:
    try:
        return Preferences.model_validate(data)
    except ValidationError:
        log.warning("notifications answered preferences out of shape")
        raise BackendError(
            502, "notifications answered out of shape", service="notifications"
        ) from None


async def preferences_section(page: Page) -> PreferencesSection:
    """The section as the profile page shows it; unavailable when the service cannot answer."""
    try:
        preferences = _parsed(await page.backend.notifications.get(API))
    except BackendError as failed:
        if failed.status == 401:
            raise
        log.info("no notification preferences", extra={"status": failed.status})
        return PreferencesSection(None)
    section = PreferencesSection(preferences)
    if not page.htmx:
        section.notice = await page.take_flash(FLASH) or ""
    return section


def _section(page: Page, section: PreferencesSection, status: int = 200) -> HTMLResponse:
    if page.htmx:
        return page.render("profile/_notifications.html", prefs=section, status=status)
    return page.render("profile/notifications.html", prefs=section, status=status)


async def _done(page: Page, preferences: Preferences, notice: str) -> Response:
    if not page.htmx:
        await page.flash(FLASH, notice)
        return page.redirect(SECTION_URL)
    return _section(page, PreferencesSection(preferences, notice=notice))


@router.post("/profile/notifications", response_class=HTMLResponse)
async def save_preferences(page: PageDep) -> Response:
    notifications = page.backend.notifications
    shown = _parsed(await notifications.get(API))
    async with page.request.form(max_fields=2000) as posted:
        form = PreferencesForm.parse(posted)
    try:
        saved = _parsed(await notifications.put(API, json=form.body(shown)))
    except BackendError as refused:
        if refused.status != 422:
            raise
        errors, reasons = refusal_for_form(refused.field_errors, shown)
        section = PreferencesSection(
            form.as_sent(shown),
            errors=errors,
            reasons=reasons,
            detail="" if errors or reasons else refused.detail,
        )
        return _section(page, section, status=422)
    return await _done(page, saved, page.t("prefs.saved"))


@router.post("/profile/notifications/reset", response_class=HTMLResponse)
async def reset_preferences(page: PageDep) -> Response:
    notifications = page.backend.notifications
    answer = await notifications.delete(API)
    defaults = _parsed(answer if answer is not None else await notifications.get(API))
    return await _done(page, defaults, page.t("prefs.reset_done"))
