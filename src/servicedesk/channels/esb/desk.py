"""What a command does at the desk: opens an incident, comments, follows one under the
caller's reference, or answers its status. The command's (source, id) row is written in the
same transaction as the effects kept here; the incident or comment in tickets carries an
Idempotency-Key made from it, so a command done again after a crash changes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.channels.esb.models import EsbCommand, EsbFollower
from servicedesk.channels.esb.wire import Command, deterministic_id
from servicedesk.channels.intake.tickets import IncidentRef, Refused, TicketsGateway
from servicedesk.contracts import EventData
from servicedesk.contracts.esb import (
    AddCommentV1,
    AttachReferenceV1,
    CreateIncidentV1,
    EsbIncidentCreatedV1,
    EsbIncidentStatusV1,
    GetStatusV1,
    IncidentView,
)
from servicedesk.kernel.db import WriteSession


class Rejected(Exception):
    """The command cannot be done (an unknown incident, a refusal by tickets)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Reply:
    data: EventData
    reference: str | None
    event_id: str


def view(incident: IncidentRef) -> IncidentView:
    return IncidentView(
        id=incident.id, key=incident.key, title=incident.title, status=incident.status
    )


class EsbDesk:
    def __init__(self, tickets: TicketsGateway, *, category: str) -> None:
        self.tickets = tickets
        self.category = category

    async def run(self, session: WriteSession, command: Command) -> Reply | None:
        """Does the command; None when it was done before (a duplicate)."""
        event = command.event
        first = await session.scalar(
            insert(EsbCommand)
            .values(
                source=event.source[:255],
                event_id=event.id[:255],
                caller=command.caller,
                type=event.type,
                reference=command.reference,
                outcome="done",
            )
            .on_conflict_do_nothing(index_elements=["source", "event_id"])
            .returning(EsbCommand.event_id)
        )
        if first is None:
            return None
        key = "esb:" + deterministic_id(event.source, event.id)
        try:
            incident, reference = await self._do(session, command, key)
        except Refused as refused:
            raise Rejected("refused", refused.detail) from refused
        row = await session.get(EsbCommand, (event.source[:255], event.id[:255]))
        assert row is not None
        row.incident_id = incident.id
        kind = EsbIncidentCreatedV1 if isinstance(command.data, CreateIncidentV1) else None
        data = (kind or EsbIncidentStatusV1)(
            incident=view(incident), reference=reference, command_id=event.id
        )
        return Reply(data, reference, deterministic_id(event.source, event.id, "reply"))

    async def _do(
        self, session: WriteSession, command: Command, key: str
    ) -> tuple[IncidentRef, str | None]:
        data = command.data
        if isinstance(data, CreateIncidentV1):
            incident = await self.tickets.create_incident(key, self._incident_body(command, data))
            await self._follow(session, command, incident, command.reference, opened_here=True)
            return incident, command.reference
        if isinstance(data, AttachReferenceV1):
            incident = await self._known(data.incident)
            await self._follow(session, command, incident, data.reference, opened_here=False)
            return incident, data.reference
        incident, reference = await self._target(session, command)
        if isinstance(data, AddCommentV1):
            await self.tickets.comment(key, incident.key, data.body)
            incident = await self._known(incident.key)
        elif not isinstance(data, GetStatusV1):
            raise Rejected("unknown-type", command.event.type)
        return incident, reference

    def _incident_body(self, command: Command, data: CreateIncidentV1) -> dict[str, Any]:
        reporter = data.reporter.model_dump(exclude_none=True) if data.reporter else {}
        return {
            "title": data.title,
            "description": data.description,
            "category": data.category or self.category,
            "impact": data.impact,
            "urgency": data.urgency,
            "channel": "esb",
            "reporter": reporter or {"name": command.caller},
        }

    async def _known(self, key: str) -> IncidentRef:
        incident = await self.tickets.incident(key)
        if incident is None:
            raise Rejected("unknown-incident", f"no incident {key}")
        return incident

    async def _target(
        self, session: WriteSession, command: Command
    ) -> tuple[IncidentRef, str | None]:
        """The incident a command names: by key, else by the caller's reference."""
        key = getattr(command.data, "incident", None)
        followed = await session.scalar(
            select(EsbFollower)
            .where(
                EsbFollower.caller == command.caller,
                (EsbFollower.incident_key == key)
                if key
                else (EsbFollower.reference == command.reference),
            )
            .order_by(EsbFollower.created_at.desc())
            .limit(1)
        )
        if key:
            return await self._known(key), followed.reference if followed else None
        if command.reference is None:
            raise Rejected("contract", "name the incident, or give your reference as subject")
        if followed is None:
            raise Rejected("unknown-incident", f"no incident under {command.reference!r}")
        return await self._known(followed.incident_key), followed.reference

    async def _follow(
        self,
        session: WriteSession,
        command: Command,
        incident: IncidentRef,
        reference: str | None,
        *,
        opened_here: bool,
    ) -> None:
        values = {
            "incident_key": incident.key,
            "source": command.event.source[:255],
            "reference": reference,
            "status": incident.status,
        }
        await session.execute(
            insert(EsbFollower)
            .values(
                incident_id=incident.id, caller=command.caller, opened_here=opened_here, **values
            )
            .on_conflict_do_update(index_elements=["incident_id", "caller"], set_=values)
        )
