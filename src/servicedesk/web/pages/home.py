"""The start page and the signed-in user's profile."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from servicedesk.web.page import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/incidents", status_code=303)


@router.get("/profile", response_class=HTMLResponse)
async def profile(page: PageDep) -> HTMLResponse:
    """Who the user is, as Keycloak says: from the ID token and the access token's roles."""
    return page.render("profile.html", profile=page.user)
