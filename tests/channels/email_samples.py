"""Mails as people, auto-responders and mail servers write them, for the email tests."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage


def plain_mail(
    sender: str,
    to: str,
    subject: str,
    text: str,
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    return mail


def html_mail(sender: str, to: str, subject: str, html: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail.set_content(html, subtype="html")
    return mail


def delivery_report(to: str, failed: str, original_id: str) -> bytes:
    """A DSN as Postfix writes it (RFC 3464): multipart/report; report-type=delivery-status."""
    return (
        f"From: MAILER-DAEMON@mail.example.com (Mail Delivery System)\r\n"
        f"To: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f"Message-ID: <dsn-{original_id.strip('<>')}>\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        f"--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        f"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mail.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\n"
        f"Action: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected\r\n"
        f"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nTo: {failed}\r\n\r\n--B--\r\n"
    ).encode()


def zip_bomb() -> bytes:
    """A small zip that unpacks to 20 MB of zeros (a thousand times its size)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(20):
            member.write(bytes(1024 * 1024))
    return buffer.getvalue()


def broken_mime(sender: str, to: str) -> bytes:
    """multipart without a boundary, a part in a charset nobody knows."""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: =?x-unknown-charset?B?0J/RgNC40LLQtdGC?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
        "--nothing\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
        "Printer on floor 3 is broken\r\n--nothing--\r\n"
    ).encode()
