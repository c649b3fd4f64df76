"""`servicedesk-ops mail`: read a mailbox of the local mail server, as a person's mail client would.

Every address of example.com and servicedesk.local is a mailbox of its own in the bootstrap's
Dovecot (IMAP on 127.0.0.1:1143, login the full address, one local password): docs/mail.md.
Messages are only read (never marked seen, never deleted).
"""

from __future__ import annotations

import email
import email.policy
import imaplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage

import typer
from rich.console import Console
from rich.table import Table

from servicedesk.kernel.mail import MailSettings

mail_app = typer.Typer(help="Read a mailbox of the local mail server.", no_args_is_help=True)
console = Console(stderr=True)
SHOWN_HEADERS = ("Date", "From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References")
LIST_HEADERS = "BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)]"


@contextmanager
def _inbox(address: str) -> Iterator[tuple[imaplib.IMAP4, int]]:
    """The IMAP session on `address`'s inbox and how many messages it holds."""
    settings = MailSettings()
    where = f"{settings.imap_host}:{settings.imap_port}"
    try:
        session = imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=10)
    except OSError as error:
        console.print(f"[red]no IMAP server at {where} ({error}): bootstrap.sh starts it[/red]")
        raise typer.Exit(1) from error
    try:
        session.login(address, settings.imap_password.get_secret_value())
        _, data = session.select("INBOX", readonly=True)
        yield session, int(data[0] or 0)
    except imaplib.IMAP4.error as error:
        console.print(f"[red]{address} at {where}: {error}[/red]")
        raise typer.Exit(1) from error
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            session.logout()


def _parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _fetched(data: list[object]) -> list[bytes]:
    """The message data of a FETCH answer, in the order of the messages."""
    return [part[1] for part in data if isinstance(part, tuple) and isinstance(part[1], bytes)]


@mail_app.command("list")
def list_messages(
    address: str, limit: int = typer.Option(30, help="show at most this many")
) -> None:
    """The messages in ADDRESS's inbox, newest first: number, date, from, subject."""
    with _inbox(address) as (session, count):
        if count == 0:
            console.print(f"{address}: no messages")
            return
        first = max(1, count - limit + 1)
        _, data = session.fetch(f"{first}:{count}", f"({LIST_HEADERS})")
        headers = [_parse(raw) for raw in _fetched(list(data))]
    table = Table(title=f"{address}: {count} message(s), newest first")
    for column in ("n", "date", "from", "subject"):
        table.add_column(column)
    for n, message in enumerate(reversed(headers), start=1):
        table.add_row(
            str(n), str(message["Date"] or ""), str(message["From"] or ""), str(message["Subject"])
        )
    Console(width=160).print(table)
    console.print(f"`servicedesk-ops mail show {address} N` shows message N")


@mail_app.command("show")
def show_message(address: str, n: int) -> None:
    """Message N of ADDRESS's inbox (1 = the newest, as in `mail list`): headers and text."""
    with _inbox(address) as (session, count):
        if not 1 <= n <= count:
            console.print(f"[red]{address} holds {count} message(s): no number {n}[/red]")
            raise typer.Exit(1)
        _, data = session.fetch(str(count - n + 1), "(BODY.PEEK[])")
        message = _parse(_fetched(list(data))[0])
    out = Console(width=160, highlight=False)
    for name in SHOWN_HEADERS:
        if name in message:
            out.print(f"{name}: {message[name]}", markup=False)
    attachments = [p.get_filename() or p.get_content_type() for p in message.iter_attachments()]
    if attachments:
        out.print(f"Attachments: {', '.join(attachments)}", markup=False)
    out.print()
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        out.print("(no text part)")
        return
    if body.get_content_type() == "text/html":
        out.print("(no plain text part; the HTML part follows)")
    out.print(body.get_content(), markup=False)
