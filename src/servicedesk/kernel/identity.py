"""`GET /api/v1/me`: who the caller is, as this service sees them (every service has it)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from servicedesk.kernel.auth import CurrentPrincipal

identity_router = APIRouter(prefix="/api/v1", tags=["identity"])


class Me(BaseModel):
    subject: str
    username: str
    name: str | None
    email: str | None
    roles: list[str]
    groups: list[str]
    phone: str | None
    telegram_id: str | None
    client_id: str
    is_service: bool


@identity_router.get("/me", response_model=Me)
async def me(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject,
        username=principal.username,
        name=principal.name,
        email=principal.email,
        roles=sorted(principal.roles),
        groups=list(principal.groups),
        phone=principal.phone,
        telegram_id=principal.telegram_id,
        client_id=principal.client_id,
        is_service=principal.is_service,
    )
