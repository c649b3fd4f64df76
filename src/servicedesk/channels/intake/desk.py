"""What a message from a person becomes at the desk, whatever the channel: a new incident
(within the per-hour limit), a comment on theirs (which may resume or reopen it), or an answer
about their incidents. Conversations remember which incidents each identity talks about."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.channels.contacts.service import Person
from servicedesk.channels.intake.tickets import IncidentRef, Refused, TicketsGateway
from servicedesk.channels.models import Conversation
from servicedesk.kernel.db import WriteSession

log = logging.getLogger(__name__)

CLOSED_STATUSES = frozenset({"resolved", "closed"})
TITLE_MAX, DESCRIPTION_MAX = 200, 20_000


@dataclass(frozen=True, slots=True)
class Opened:
    incident: IncidentRef
    flooded: bool = False  # the per-hour limit turned the message into a comment


class Flooded(Exception):
    """The limit of new incidents per hour is reached and there is no open one to add to."""


def title_from(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= TITLE_MAX else line[: TITLE_MAX - 1].rstrip() + "…"


def _reporter(person: Person) -> dict[str, Any]:
    contact, identity = person.contact, person.identity
    if contact.user_id:
        return {"user_id": contact.user_id}
    found: dict[str, Any] = {"name": contact.name[:200] or identity.address}
    if identity.channel == "telegram":
        found["telegram_id"] = int(identity.address)
    elif identity.channel == "sms":
        found["phone"] = identity.address
    elif identity.channel == "email":
        found["email"] = identity.address
    return found


class IntakeDesk:
    def __init__(
        self, tickets: TicketsGateway, *, category: str, per_hour: int, recent_days: int
    ) -> None:
        self.tickets = tickets
        self.category = category
        self.per_hour = per_hour
        self.recent_days = recent_days

    async def open_incident(
        self,
        session: WriteSession,
        person: Person,
        *,
        key: str,
        title: str,
        description: str,
        order: str | None = None,
        group: str | None = None,
    ) -> Opened:
        """A new incident for the person (in `group`, a Keycloak group id, when given); past the
        hourly limit, a comment on their newest open one instead (raises Flooded when they have
        none). A group tickets refuses is left out rather than the incident."""
        if await self._opened_last_hour(session, person) >= self.per_hour:
            newest = [
                c
                for c in await self.open_conversations(session, person)
                if c.status not in CLOSED_STATUSES  # a resolved one is not reopened for it
            ][:1]
            if not newest:
                raise Flooded
            incident = await self.comment(session, person, newest[0], key=key, body=description)
            return Opened(incident, flooded=True)
        body: dict[str, Any] = {
            "title": title_from(title) or "-",
            "description": description[:DESCRIPTION_MAX],
            "category": self.category,
            "channel": person.identity.channel,
            "reporter": _reporter(person),
        }
        if order:
            body["order"] = order
        if group:
            body["group"] = group
        incident = await self._create(key, body)
        await self.remember(session, person, incident, opened_here=True)
        return Opened(incident)

    async def _create(self, key: str, body: dict[str, Any]) -> IncidentRef:
        try:
            return await self.tickets.create_incident(key, body)
        except Refused as refused:
            if "group" not in body:
                raise
            log.warning(
                "tickets refused the incident's group: opened without it",
                extra={"group": body["group"], "reason": refused.detail},
            )
        # Another key: the first one is bound to the refused request.
        without = {name: value for name, value in body.items() if name != "group"}
        return await self.tickets.create_incident(f"{key}:nogroup", without)

    async def comment(
        self,
        session: WriteSession,
        person: Person,
        conversation: Conversation,
        *,
        key: str,
        body: str,
    ) -> IncidentRef:
        await self.tickets.comment(key, conversation.incident_key, body[:DESCRIPTION_MAX])
        conversation.updated_at = datetime.now(UTC)
        fresh = await self.tickets.incident(conversation.incident_key)
        if fresh is not None:
            conversation.status = fresh.status
            return fresh
        return IncidentRef(
            conversation.incident_id,
            conversation.incident_key,
            conversation.title,
            conversation.status,
            None,
        )

    async def remember(
        self, session: WriteSession, person: Person, incident: IncidentRef, *, opened_here: bool
    ) -> None:
        await session.execute(
            insert(Conversation)
            .values(
                id=uuid.uuid4(),
                incident_id=incident.id,
                incident_key=incident.key,
                identity_id=person.identity.id,
                contact_id=person.contact.id,
                channel=person.identity.channel,
                status=incident.status,
                opened_here=opened_here,
                title=incident.title[:200],
            )
            .on_conflict_do_nothing(index_elements=["incident_id", "identity_id"])
        )

    async def conversation(
        self, session: AsyncSession, person: Person, incident_key: str
    ) -> Conversation | None:
        """The person's conversation about this incident, made on first ask when they are its
        reporter (e.g. opened in the console by the same user)."""
        found: Conversation | None = await session.scalar(
            select(Conversation)
            .where(
                Conversation.contact_id == person.contact.id,
                Conversation.incident_key == incident_key.upper(),
            )
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )
        if found is not None or not person.contact.user_id:
            return found
        incident = await self.tickets.incident(incident_key)
        if incident is None or incident.reporter_id != person.contact.user_id:
            return None
        assert isinstance(session, WriteSession)
        await self.remember(session, person, incident, opened_here=False)
        return await self.conversation(session, person, incident.key)

    async def open_conversations(self, session: AsyncSession, person: Person) -> list[Conversation]:
        """The person's incidents still open, then those resolved lately, newest first."""
        since = datetime.now(UTC) - timedelta(days=self.recent_days)
        rows = await session.scalars(
            select(Conversation)
            .where(
                Conversation.contact_id == person.contact.id,
                (Conversation.status.not_in(CLOSED_STATUSES))
                | ((Conversation.status == "resolved") & (Conversation.updated_at >= since)),
            )
            .order_by(Conversation.updated_at.desc())
            .limit(20)
        )
        found = list(rows)
        return sorted(found, key=lambda c: c.status in CLOSED_STATUSES)

    async def all_conversations(self, session: AsyncSession, person: Person) -> list[Conversation]:
        rows = await session.scalars(
            select(Conversation)
            .where(Conversation.contact_id == person.contact.id)
            .order_by(Conversation.updated_at.desc())
            .limit(20)
        )
        return list(rows)

    async def _opened_last_hour(self, session: AsyncSession, person: Person) -> int:
        since = datetime.now(UTC) - timedelta(hours=1)
        count = await session.scalar(
            select(func.count()).where(
                Conversation.contact_id == person.contact.id,
                Conversation.opened_here.is_(True),
                Conversation.created_at >= since,
            )
        )
        return int(count or 0)
