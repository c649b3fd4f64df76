"""HTTP endpoints of a person's own channel identities and Telegram links."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from sqlalchemy import select

from servicedesk.channels.auth import RealmUser
from servicedesk.channels.contacts.links import new_link
from servicedesk.channels.contacts.schemas import IdentityOut, TelegramLink
from servicedesk.channels.models import ChannelIdentity, Contact
from servicedesk.channels.state import ChannelsStateDep
from servicedesk.kernel.deps import ReadSessionDep, WriteSessionDep
from servicedesk.kernel.errors import NotFound, problems
from servicedesk.kernel.i18n import _t

router = APIRouter(prefix="/api/v1", tags=["identities"])


@router.post("/telegram/links", status_code=201, response_model=TelegramLink)
async def link_telegram(
    user: RealmUser, state: ChannelsStateDep, session: WriteSessionDep
) -> TelegramLink:
    """A single-use deep link (10 minutes) that binds the Telegram account opening it to you."""
    bot = state.settings.telegram.bot_username
    link = await new_link(session, user, state.settings.link_ttl_s)
    return TelegramLink(
        url=f"https://t.me/{bot}?start={link.token}",
        token=link.token,
        bot_username=bot,
        expires_at=link.expires_at,
    )


@router.get("/me/identities", response_model=list[IdentityOut])
async def my_identities(user: RealmUser, session: ReadSessionDep) -> list[IdentityOut]:
    rows = await session.scalars(
        select(ChannelIdentity)
        .join(Contact, Contact.id == ChannelIdentity.contact_id)
        .where(Contact.user_id == user.subject)
        .order_by(ChannelIdentity.created_at)
    )
    return [IdentityOut.model_validate(row) for row in rows]


@router.delete("/me/identities/{identity_id}", status_code=204, responses=problems(NotFound))
async def unbind_identity(
    identity_id: uuid.UUID, user: RealmUser, session: WriteSessionDep
) -> Response:
    """The identity goes on as an outside contact of its own: its chats are kept."""
    row = (
        await session.execute(
            select(ChannelIdentity, Contact)
            .join(Contact, Contact.id == ChannelIdentity.contact_id)
            .where(ChannelIdentity.id == identity_id, Contact.user_id == user.subject)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(_t("you have no identity {id}", id=str(identity_id)))
    identity, contact = row
    alone = Contact(id=uuid.uuid4(), name=identity.display, locale=contact.locale)
    session.add(alone)
    await session.flush()
    identity.contact_id, identity.bound_at = alone.id, None
    contact.updated_at = datetime.now(UTC)
    return Response(status_code=204)
