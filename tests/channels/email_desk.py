"""The email channel in-process on the real servers: a support mailbox of its own on Dovecot
(read by the real reader), the tickets service in-process, Keycloak, the tests' database. It
works only its own mail: `settle()` handles the pending mail of its mailbox and sends the queued
mail to the addresses the test names, as the service's workers would."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import smtplib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select, text

from servicedesk.channels.email_channel.intake import EmailIntake
from servicedesk.channels.email_channel.reader import MailboxReader
from servicedesk.channels.email_channel.transport import EmailTransport
from servicedesk.channels.intake.desk import IntakeDesk
from servicedesk.channels.intake.queue import InboxWorkers
from servicedesk.channels.intake.tickets import TicketsGateway
from servicedesk.channels.models import Delivery, InboxItem
from servicedesk.channels.outbound.sender import Sender
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import ChannelsSettings, EmailSettings
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.db import Database
from servicedesk.kernel.mail import MailSettings, send_message
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.tickets.app import create_app as create_tickets_app
from servicedesk.tickets.settings import TicketsSettings
from tests.support.isolation import MAIL_TAG, TEST_ATTACHMENTS
from tests.support.mailbox import Mailbox
from tests.support.tokens import TokenShop, bearer

SMTP = MailSettings()


def new_address(local: str, domain: str = "example.com") -> str:
    return f"{local}-{uuid.uuid4().hex[:8]}+{MAIL_TAG}@{domain}"


@dataclass
class EmailDesk:
    address: str  # the support mailbox
    settings: EmailSettings
    database: Database
    intake: EmailIntake
    sender: Sender
    agent: httpx.AsyncClient  # agent1 on the tickets API

    async def deliver(self, message: EmailMessage) -> None:
        await send_message(SMTP, message)

    async def settle(self, *to: str, timeout_s: float = 15, expect: int = 1) -> list[str]:
        """Waits for `expect` more of the mailbox's mail to be stored and handles them; then sends
        what was queued for `to`. The outcomes, oldest first."""
        outcomes: list[str] = []
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(outcomes) < expect:
            outcome = await self._handle_one()
            if outcome is not None:
                outcomes.append(outcome)
                continue
            assert asyncio.get_running_loop().time() < deadline, f"only {outcomes} in {timeout_s}s"
            await asyncio.sleep(0.2)
        await self.send_queued(*to)
        return outcomes

    async def _handle_one(self) -> str | None:
        async with self.database.write() as session:
            item = await session.scalar(
                select(InboxItem)
                .where(
                    InboxItem.channel == "email",
                    InboxItem.processed_at.is_(None),
                    InboxItem.payload["mailbox"].astext == self.address,
                )
                .order_by(InboxItem.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if item is None:
                return None
            async with session.begin_nested():
                outcome = await self.intake.handle(session, item)
            item.processed_at, item.outcome, item.attempts = datetime.now(UTC), outcome, 1
            return outcome

    async def send_queued(self, *to: str) -> int:
        sent = 0
        while True:
            async with self.database.write() as session:
                delivery = await session.scalar(
                    select(Delivery)
                    .where(
                        Delivery.channel == "email",
                        Delivery.status == "queued",
                        Delivery.address.in_(to),
                    )
                    .order_by(Delivery.seq)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if delivery is None:
                    return sent
                await self.sender._send(session, delivery)
                sent += 1

    async def rows(self, query: str, **params: Any) -> list[Any]:
        async with self.database.write() as session:
            result = await session.execute(text(query), params)
            return list(result.all()) if result.returns_rows else []


@contextlib.asynccontextmanager
async def email_desk(
    tokens: TokenShop, *, group: str | None = None, **changes: Any
) -> AsyncIterator[EmailDesk]:
    """`group`: the Keycloak group id the mailbox's incidents go to."""
    address = new_address("support", "servicedesk.local")
    settings = EmailSettings(
        mailboxes=(address,),
        groups={address: group} if group else {},
        mail=MailSettings(from_address=address, recipient_tag=MAIL_TAG),
        poll_interval_s=1,
        reconnect_s=1,
        **changes,
    )
    channels = ChannelsSettings()
    tickets_app = create_tickets_app(
        TicketsSettings(migration_url="http://127.0.0.1:9", attachments_dir=TEST_ATTACHMENTS)
    )
    async with tickets_app.router.lifespan_context(tickets_app), httpx.AsyncClient() as http:
        transport = httpx.ASGITransport(app=tickets_app)
        credentials = ClientCredentials(channels.keycloak, http)
        client = ServiceClient("tickets", "http://tickets", auth=credentials, transport=transport)
        keycloak = ServiceClient("keycloak", channels.keycloak.url, auth=credentials)
        database = Database(channels.db, None)
        desk = IntakeDesk(TicketsGateway(client), category="other", per_hour=5, recent_days=14)
        intake = EmailIntake(desk, RealmDirectory(keycloak, channels.keycloak.realm), settings)
        inbox = InboxWorkers(database, {}, workers=0, max_attempts=1, poll_interval_s=1)
        sender = Sender(database, {"email": EmailTransport(settings, database)}, {})
        agent = httpx.AsyncClient(
            transport=transport,
            base_url="http://tickets",
            headers=bearer(await tokens.access("agent1")),
        )
        reader = asyncio.create_task(
            MailboxReader(settings, database, inbox, address).run_forever()
        )
        try:
            yield EmailDesk(address, settings, database, intake, sender, agent)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            Mailbox(address).clear()
            for closing in (agent, client, keycloak):
                await closing.aclose()
            await database.dispose()


def deliver_raw(raw: bytes, to: str, *, sender: str = "") -> None:
    """Raw bytes by SMTP with the given envelope sender ("" is the null sender <>)."""
    with smtplib.SMTP(SMTP.smtp_host, SMTP.smtp_port, timeout=10) as smtp:
        smtp.sendmail(sender, [to], raw)


def append_raw(raw: bytes, mailbox: str) -> None:
    """Puts mail straight into a mailbox (past the SMTP server's size limit)."""
    session = imaplib.IMAP4(SMTP.imap_host, SMTP.imap_port, timeout=30)
    try:
        session.login(mailbox, SMTP.imap_password.get_secret_value())
        session.append("INBOX", None, None, raw)
    finally:
        session.logout()


def folder_size(mailbox: str, folder: str) -> int:
    session = imaplib.IMAP4(SMTP.imap_host, SMTP.imap_port, timeout=30)
    try:
        session.login(mailbox, SMTP.imap_password.get_secret_value())
        _, data = session.select(folder)
        return int(data[0] or 0)
    finally:
        session.logout()
