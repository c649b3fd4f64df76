"""Email brought into the channels service: its handler, its transport, a reader per mailbox."""

from __future__ import annotations

import asyncio

from servicedesk.channels.email_channel.intake import EmailIntake
from servicedesk.channels.email_channel.reader import MailboxReader
from servicedesk.channels.email_channel.threads import EMAIL
from servicedesk.channels.email_channel.transport import EmailTransport
from servicedesk.channels.intake.desk import IntakeDesk
from servicedesk.channels.intake.queue import Handler, InboxWorkers
from servicedesk.channels.outbound.transport import Transport
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import EmailSettings
from servicedesk.kernel.db import Database


def wire_email(
    settings: EmailSettings,
    database: Database,
    desk: IntakeDesk,
    directory: RealmDirectory,
    handlers: dict[str, Handler],
    transports: dict[str, Transport],
    inbox: InboxWorkers,
) -> list[asyncio.Task[None]]:
    """Adds email's handler and transport; the readers' tasks (none when email is off)."""
    if not settings.enabled or not settings.mailboxes:
        return []
    handlers[EMAIL] = EmailIntake(desk, directory, settings).handle
    transports[EMAIL] = EmailTransport(settings, database)
    return [
        asyncio.create_task(
            MailboxReader(settings, database, inbox, mailbox).run_forever(),
            name=f"mailbox:{mailbox}",
        )
        for mailbox in settings.mailboxes
    ]
