"""Finding the contact behind a Telegram user or a phone, creating them on first contact."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.channels.models import ChannelIdentity, Contact
from servicedesk.channels.people import RealmUser
from servicedesk.kernel.db import WriteSession

TELEGRAM, SMS = "telegram", "sms"


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote: their contact and the identity they wrote from."""

    contact: Contact
    identity: ChannelIdentity

    @property
    def locale(self) -> str:
        return self.contact.locale


def locale_of(language_code: str | None, default: str = "ru") -> str:
    if not language_code:
        return default
    return "ru" if language_code.lower().startswith(("ru", "uk", "be", "kk")) else "en"


async def identity_at(
    session: AsyncSession, channel: str, address: str
) -> tuple[Contact, ChannelIdentity] | None:
    row = (
        await session.execute(
            select(Contact, ChannelIdentity)
            .join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.address == address)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def person_at(
    session: WriteSession,
    channel: str,
    address: str,
    *,
    display: str,
    locale: str,
    chat_id: int | None = None,
    user: RealmUser | None = None,
) -> Person:
    """The contact writing from this address; a new one on first contact (a realm user's own
    contact when `user` is given, e.g. the owner of the phone)."""
    found = await identity_at(session, channel, address)
    if found is not None:
        if chat_id is not None and found[1].chat_id != chat_id:
            found[1].chat_id = chat_id
        return Person(*found)
    known = await _contact_of_user(session, user) if user else None
    contact = known or Contact(
        id=uuid.uuid4(),
        user_id=user.id if user else None,
        username=user.username if user else None,
        name=user.name if user else display,
        locale=(user.locale if user and user.locale else locale),
    )
    if known is None:
        session.add(contact)
        await session.flush()  # no ORM relationships: the contact's row goes first
    identity = ChannelIdentity(
        id=uuid.uuid4(),
        contact_id=contact.id,
        channel=channel,
        address=address,
        chat_id=chat_id,
        display=display[:200],
        reachable=True,
        bound_at=datetime.now(UTC) if user else None,
    )
    session.add(identity)
    await session.flush()
    return Person(contact, identity)


async def _contact_of_user(session: AsyncSession, user: RealmUser) -> Contact | None:
    contact: Contact | None = await session.scalar(
        select(Contact).where(Contact.user_id == user.id)
    )
    return contact


async def bind_to_user(
    session: WriteSession, person: Person, user_id: str, username: str, name: str
) -> Person:
    """Moves the identity to the user's contact (made if needed); the conversations it had
    stay with the identity, so replies keep reaching the same chat."""
    now = datetime.now(UTC)
    contact: Contact | None = await session.scalar(
        select(Contact).where(Contact.user_id == user_id)
    )
    if contact is None:
        if person.contact.user_id is None:
            contact = person.contact
            contact.user_id, contact.username, contact.name = user_id, username, name
        else:
            contact = Contact(
                id=uuid.uuid4(),
                user_id=user_id,
                username=username,
                name=name,
                locale=person.contact.locale,
            )
            session.add(contact)
            await session.flush()
    contact.updated_at = now
    person.identity.contact_id = contact.id
    person.identity.bound_at = now
    await session.flush()
    return Person(contact, person.identity)
