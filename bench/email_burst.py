"""Email: a burst of mails delivered into a support mailbox by SMTP, read by IMAP and turned
into incidents, beside the tickets service's own rate of creating the same incidents.

Needs the infrastructure and the tests' database (`./sd test` provisions it); starts a tickets
and a channels process of its own on the tests' data (ports 38001, 38006), so run it where no
live test stack runs (they take turns on the lock):
    flock /tmp/sd-live.lock .venv/bin/python -m bench.email_burst [--mails 1000]

1. Baseline: `POST /api/v1/incidents` with the channels' service account, the body the email
   channel sends, at `--concurrency`: incidents a second.
2. The burst: `--mails` mails, each from a sender of its own, sent by SMTP to the run's own
   mailbox `bench-<run>+sdbench@servicedesk.local` (`--concurrency` connections). The channels
   process reads it (IMAP IDLE, one reader), stores each mail in the inbound queue, and its
   workers make the incidents. Measured from the first mail sent: the last accepted by SMTP,
   the last stored, the last incident made; and the count of incidents (must equal the mails).
   Acknowledgements are off (`auto_replies_per_hour=0`), so no mail goes back to the senders.
3. Cleanup: both processes stopped, the mailbox emptied. The incidents stay in the tests'
   database (titles "bench mail …").
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from email.message import EmailMessage

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table
from tests.support.isolation import ENVIRONMENT, TEST_DATABASE
from tests.support.mailbox import Mailbox
from tests.support.processes import RunningService, start_service, stop, wait_ready

from bench.harness import closed_loop
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.kernel.mail import MailSettings, send_message
from servicedesk.ops.keycloak_login import client_credentials_token
from servicedesk.ops.provision import admin_dsn

TICKETS_PORT, CHANNELS_PORT = 38001, 38006
PROGRESS = """
select count(*) as stored, count(processed_at) as processed,
       count(*) filter (where outcome = 'created') as created,
       max(received_at) as last_stored, max(processed_at) as last_processed
from channels.inbox where channel = 'email' and payload->>'mailbox' = $1
"""


def _processes(mailbox: str) -> list[RunningService]:
    tickets = start_service("tickets", TICKETS_PORT, ENVIRONMENT)
    channels = start_service(
        "channels",
        CHANNELS_PORT,
        ENVIRONMENT
        | {
            "SD_CHANNELS_TICKETS_URL": f"http://127.0.0.1:{TICKETS_PORT}",
            "SD_CHANNELS_TELEGRAM__MODE": "off",
            "SD_CHANNELS_SMS_GATEWAYS": "[]",
            "SD_CHANNELS_ESB__ENABLED": "false",
            "SD_CHANNELS_NEW_INCIDENTS_PER_HOUR": "1000000",
            "SD_CHANNELS_EMAIL__MAILBOXES": f'["{mailbox}"]',
            "SD_CHANNELS_EMAIL__MAIL__FROM_ADDRESS": mailbox,
            "SD_CHANNELS_EMAIL__MAIL__RECIPIENT_TAG": "sdbench",
            "SD_CHANNELS_EMAIL__AUTO_REPLIES_PER_HOUR": "0",
        },
    )
    return [tickets, channels]


def _mail(mailbox: str, run: str, number: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"b{run}-{number}@example.com"
    mail["To"] = mailbox
    mail["Subject"] = f"bench mail {run} {number}: не работает принтер"
    mail.set_content(f"Принтер на этаже {number % 9 + 1} не печатает.\nС уважением, b{number}")
    return mail


async def baseline(count: int, concurrency: int) -> float:
    keycloak = ChannelsSettings().keycloak
    token = (
        await client_credentials_token(
            keycloak.client_id, keycloak.client_secret.get_secret_value(), base_url=keycloak.url
        )
    )["access_token"]
    run = uuid.uuid4().hex[:8]
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{TICKETS_PORT}", headers=headers, timeout=30
    ) as http:

        async def create(number: int) -> None:
            body = {
                "title": f"bench mail baseline {run} {number}",
                "description": "Принтер не печатает.",
                "category": "other",
                "channel": "email",
                "reporter": {"name": f"b{run}-{number} <b{run}-{number}@example.com>"},
            }
            key = {"Idempotency-Key": f"bench-email-{run}-{number}-{uuid.uuid4().hex[:8]}"}
            response = await http.post("/api/v1/incidents", json=body, headers=key)
            assert response.status_code == 201, response.text

        figures = await closed_loop(create, requests=count, concurrency=concurrency, warmup=5)
    return figures.per_second


async def burst(mailbox: str, count: int, concurrency: int) -> dict[str, float]:
    run = uuid.uuid4().hex[:6]
    smtp = MailSettings()
    started = time.time()
    numbers = iter(range(count))

    async def sender() -> None:
        for number in numbers:
            await send_message(smtp, _mail(mailbox, run, number))

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    sent_s = time.time() - started
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        while True:
            row = await connection.fetchrow(PROGRESS, mailbox)
            if row["processed"] >= count or time.time() - started > 1800:
                break
            await asyncio.sleep(0.5)
    finally:
        await connection.close()
    return {
        "sent_s": sent_s,
        "stored_s": row["last_stored"].timestamp() - started if row["last_stored"] else -1,
        "done_s": row["last_processed"].timestamp() - started if row["last_processed"] else -1,
        "stored": row["stored"],
        "created": row["created"],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    mailbox = f"bench-{uuid.uuid4().hex[:8]}+sdbench@servicedesk.local"
    services = _processes(mailbox)
    try:
        for service in services:
            await wait_ready(service, 120)
        per_second = await baseline(args.mails, args.concurrency)
        figures = await burst(mailbox, args.mails, args.concurrency)
    finally:
        for service in services:
            stop(service)
        Mailbox(mailbox).clear()
    table = Table(title=f"email burst: {args.mails} mails, concurrency {args.concurrency}")
    for column in ("what", "figure"):
        table.add_column(column)
    table.add_row("baseline: tickets API creates", f"{per_second:.1f} incidents/s")
    table.add_row("all mails accepted by SMTP", f"{figures['sent_s']:.1f} s")
    table.add_row("last mail stored (IMAP → inbox)", f"{figures['stored_s']:.1f} s")
    table.add_row("last incident made", f"{figures['done_s']:.1f} s")
    table.add_row("mails a second, end to end", f"{args.mails / figures['done_s']:.1f}")
    table.add_row("stored / incidents created", f"{figures['stored']} / {figures['created']}")
    table.add_row("end to end vs baseline", f"{args.mails / figures['done_s'] / per_second:.2f}")
    Console().print(table)


if __name__ == "__main__":
    asyncio.run(main())
