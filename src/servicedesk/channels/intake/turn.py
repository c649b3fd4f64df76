"""Answering a person in the chat they wrote from: a queued delivery, sent by the sender."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from servicedesk.channels.contacts.service import Person
from servicedesk.channels.outbound.queue import enqueue
from servicedesk.channels.texts import say
from servicedesk.kernel.db import WriteSession


@dataclass(slots=True)
class Turn:
    """One inbound item being processed: its session, its person, its replies' keys."""

    session: WriteSession
    person: Person
    key: str  # made from the inbound item: the same on every try
    replies: int = field(default=0)

    def next_key(self, what: str) -> str:
        self.replies += 1
        return f"{self.key}:{what}:{self.replies}"

    async def reply(
        self,
        text_id: str,
        /,
        *,
        incident_id: uuid.UUID | None = None,
        incident_key: str | None = None,
        markup: dict[str, Any] | None = None,
        **params: object,
    ) -> None:
        await self.reply_text(
            say(self.person.locale, text_id, **params),
            incident_id=incident_id,
            incident_key=incident_key,
            markup=markup,
        )

    async def reply_text(
        self,
        text: str,
        *,
        incident_id: uuid.UUID | None = None,
        incident_key: str | None = None,
        markup: dict[str, Any] | None = None,
    ) -> None:
        await enqueue(
            self.session,
            self.person.identity,
            text,
            key=self.next_key("reply"),
            incident_id=incident_id,
            incident_key=incident_key,
            markup=markup,
        )
