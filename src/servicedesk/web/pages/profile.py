"""The signed-in user's profile: who Keycloak says they are, and how the service desk reaches
them (the channels service): bound Telegram accounts and phones, a one-time link that binds a
Telegram account, unbinding.

While a link is shown, the list of identities asks again every 3 s (htmx polling) until a
Telegram account that was not bound before appears, or the link expires; then the link gives way
to a note. Without htmx every action is a plain form (post/redirect/get, the link handed to the
next page as a one-time flash) and "Refresh" reloads the page. When the channels service cannot
be reached the section says so and the rest of the page works.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page, PageDep
from servicedesk.web.pages.identities import (
    TELEGRAM,
    Identity,
    TelegramLink,
    my_identities,
    new_telegram_link,
    telegram_ids,
    unbind,
)
from servicedesk.web.pages.notification_settings import preferences_section

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], include_in_schema=False)
SECTION_URL = "/profile#telegram"
IDENTITIES_URL = "/profile/telegram/identities"
FLASH = "telegram"
MAX_KNOWN = 50  # Telegram accounts remembered by a watch; more: not watched
UNAUTHORISED = 401
NOT_FOUND = 404
FormText = Annotated[str, Form(max_length=64)]
KnownIds = Annotated[str | None, Form(max_length=MAX_KNOWN * 37)]


@dataclass(frozen=True, slots=True)
class Watch:
    """A link is shown: the list is asked again until a Telegram account not bound before
    (`known`) appears, or `until` (the link's expiry) passes. `known` None: not known (the list
    could not be read when the link was made), so only the expiry ends the watch."""

    until: datetime
    known: frozenset[uuid.UUID] | None

    @classmethod
    def of(cls, link: TelegramLink, identities: list[Identity] | None) -> Watch:
        return cls(link.expires_at, None if identities is None else telegram_ids(identities))

    @classmethod
    def parse(cls, until: str, known: str | None) -> Watch | None:
        """From the parameters of `params`; None when they are missing or malformed."""
        try:
            moment = datetime.fromisoformat(until) if until else None
            ids = None if known is None else [uuid.UUID(i) for i in known.split(",") if i]
        except ValueError:
            return None
        if moment is None or moment.tzinfo is None or (ids is not None and len(ids) > MAX_KNOWN):
            return None
        return cls(moment, None if ids is None else frozenset(ids))

    @property
    def params(self) -> dict[str, str]:
        found = {"until": self.until.astimezone(UTC).isoformat()}
        if self.known is not None:
            found["known"] = ",".join(sorted(str(i) for i in self.known))
        return found

    @property
    def url(self) -> str:
        return f"{IDENTITIES_URL}?{urlencode(self.params)}"

    def newly_bound(self, identities: list[Identity]) -> list[Identity]:
        if self.known is None:
            return []
        return [i for i in identities if i.channel == TELEGRAM and i.id not in self.known]

    def over(self) -> bool:
        return datetime.now(UTC) >= self.until


@dataclass
class TelegramSection:
    """What the section shows (the template's `telegram`)."""

    identities: list[Identity] | None = None  # None: the channels service did not answer
    link: TelegramLink | None = None
    watch: Watch | None = None
    notice: str = ""  # what was done (unbound, bound, the link expired)
    alert: str = ""  # what could not be done
    link_alert: str = ""  # why no link could be had

    @property
    def unavailable(self) -> bool:
        return self.identities is None

    @property
    def refresh_url(self) -> str:
        return self.watch.url if self.watch else IDENTITIES_URL

    def flashed(self) -> str:
        """For the next page, after a plain form post."""
        kept: dict[str, Any] = {
            "notice": self.notice,
            "alert": self.alert,
            "link_alert": self.link_alert,
        }
        if self.link is not None:
            kept["link"] = self.link.model_dump(mode="json")
        return json.dumps({k: v for k, v in kept.items() if v})

    def take(self, flashed: str | None) -> None:
        """What the form post before left (see `flashed`)."""
        try:
            kept = json.loads(flashed) if flashed else {}
            self.link = TelegramLink.model_validate(kept["link"]) if "link" in kept else None
        except (ValueError, TypeError, ValidationError):
            return
        for name in ("notice", "alert", "link_alert"):
            setattr(self, name, str(kept.get(name) or ""))


async def _identities(page: Page) -> list[Identity] | None:
    """The user's identities; None when the channels service cannot tell (down, refusing)."""
    try:
        return await my_identities(page.backend.channels)
    except BackendError as failed:
        if failed.status == UNAUTHORISED:
            raise  # the session ended: sign in again
        log.info("channels did not list identities", extra={"status": failed.status})
        return None


def _refusal(page: Page, refused: BackendError) -> str:
    if refused.status == UNAUTHORISED:
        raise refused
    if refused.status >= 500:
        return page.t("profile.telegram.try_later")
    return page.t("profile.telegram.refused", detail=refused.detail)


def _part(
    page: Page,
    section: TelegramSection,
    *,
    identities_oob: bool = False,
    link_part: bool = False,
    link_oob: bool = False,
) -> HTMLResponse:
    """The htmx answer: the list, with the link area and the notice where they changed."""
    return page.render(
        "profile/_telegram_part.html",
        telegram=section,
        identities_oob=identities_oob,
        link_part=link_part,
        link_oob=link_oob,
    )


@router.get("/profile", response_class=HTMLResponse)
async def profile(page: PageDep) -> HTMLResponse:
    """Who the user is, as Keycloak says (ID token, the access token's roles), their
    Telegram and SMS identities, and what they hear of (the notifications service)."""
    section = TelegramSection()
    if not page.htmx:
        section.take(await page.take_flash(FLASH))
    section.identities, prefs = await asyncio.gather(_identities(page), preferences_section(page))
    if section.link is not None:
        section.watch = Watch.of(section.link, section.identities)
    return page.render(
        "profile.html",
        profile=page.user,
        telegram=section,
        prefs=prefs,
        identities_oob=False,
        link_oob=False,
    )


@router.get("/profile/telegram/identities", response_class=HTMLResponse)
async def identities_part(
    page: PageDep,
    until: Annotated[str, Query(max_length=64)] = "",
    known: Annotated[str | None, Query(max_length=MAX_KNOWN * 37)] = None,
) -> Response:
    """The list again ("Refresh", or polling while a link is shown)."""
    if not page.htmx:
        return RedirectResponse(SECTION_URL, status_code=303)
    section = TelegramSection(identities=await _identities(page), watch=Watch.parse(until, known))
    watch = section.watch
    if watch is None:
        return _part(page, section)
    bound = watch.newly_bound(section.identities or [])
    if bound:
        section.notice = page.t("profile.telegram.bound", name=bound[0].name)
    elif watch.over():
        section.notice = page.t("profile.telegram.expired")
    else:
        return _part(page, section)
    section.watch = None  # the link is used up or out of time: it gives way to the button
    return _part(page, section, link_part=True, link_oob=True)


@router.post("/profile/telegram/links", response_class=HTMLResponse)
async def link_telegram(page: PageDep) -> Response:
    """A one-time link binding the Telegram account that opens it (10 minutes)."""
    section = TelegramSection()
    if page.htmx:  # the list, to start watching for the new account
        section.identities = await _identities(page)
    if page.htmx and section.unavailable:
        section.link_alert = page.t("profile.telegram.try_later")
    else:
        try:
            section.link = await new_telegram_link(page.backend.channels)
        except BackendError as refused:
            section.link_alert = _refusal(page, refused)
        else:
            section.watch = Watch.of(section.link, section.identities)
    if not page.htmx:
        await page.flash(FLASH, section.flashed())
        return page.redirect(SECTION_URL)
    return _part(page, section, identities_oob=True, link_part=True)


@router.post("/profile/telegram/identities/{identity_id}/unbind", response_class=HTMLResponse)
async def unbind_identity(
    page: PageDep, identity_id: uuid.UUID, until: FormText = "", known: KnownIds = None
) -> Response:
    """Unbinds one of the user's identities (confirmed in the page); a shown link stays."""
    section = TelegramSection(watch=Watch.parse(until, known))
    try:
        await unbind(page.backend.channels, identity_id)
    except BackendError as refused:
        if refused.status == NOT_FOUND:
            section.alert = page.t("profile.telegram.not_yours")
        else:
            section.alert = _refusal(page, refused)
    else:
        section.notice = page.t("profile.telegram.unbound")
    if not page.htmx:
        await page.flash(FLASH, section.flashed())
        return page.redirect(SECTION_URL)
    section.identities = await _identities(page)
    return _part(page, section)
