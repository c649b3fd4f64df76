"""Mail by SMTP: the settings a service that sends or reads mail embeds, and one call to send.

Locally the bootstrap runs Postfix on 127.0.0.1:2525, which takes any address of example.com and
servicedesk.local into a mailbox of its own in Dovecot (IMAP on 127.0.0.1:1143); nothing leaves
the machine. docs/mail.md says what runs and what production changes.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from enum import StrEnum

import aiosmtplib
from aiosmtplib.email import extract_recipients
from pydantic import BaseModel, SecretStr

from servicedesk.kernel.settings import LOCAL_SECRET_MARK


class SmtpSecurity(StrEnum):
    NONE = "none"  # plain SMTP: loopback only
    STARTTLS = "starttls"  # submission, usually port 587
    TLS = "tls"  # implicit TLS, usually port 465


class MailSettings(BaseModel):
    """A service embeds it as `mail`: SD_<SERVICE>_MAIL__SMTP_HOST and so on."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_username: str | None = None  # None: no SMTP AUTH (the local server needs none)
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 10.0
    imap_host: str = "127.0.0.1"
    imap_port: int = 1143
    # Every local mailbox's password (a static one, loopback only); refused in production.
    imap_password: SecretStr = SecretStr(f"{LOCAL_SECRET_MARK}mail")
    from_address: str = "servicedesk@servicedesk.local"
    # The right-hand side of our Message-IDs, and the name we greet the SMTP server with.
    domain: str = "servicedesk.local"
    # Set (the tests: "sdtest"), mail for agent1@example.com goes to agent1+sdtest@example.com, a
    # mailbox of its own, so that test mail never reaches the demo users' mailboxes.
    recipient_tag: str = ""

    def to_address(self, address: str) -> str:
        """The address mail for `address` is delivered to: tagged when a recipient tag is set."""
        local, at, domain = address.rpartition("@")
        suffix = f"+{self.recipient_tag}"
        if not self.recipient_tag or not at or local.endswith(suffix):
            return address
        return f"{local}{suffix}@{domain}"

    def new_message_id(self) -> str:
        """A new, unique Message-ID (`<...@domain>`), for a message and the replies to it."""
        return email.utils.make_msgid(domain=self.domain)


class MailError(Exception):
    """Mail could not be sent; `refused` maps each refused recipient to the server's answer."""

    def __init__(self, detail: str, refused: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.refused = refused or {}


class MailUnavailable(MailError):
    """The server could not be reached, timed out or answered 4xx: try again later."""


class MailRejected(MailError):
    """The server refused the message or a recipient for good (5xx): do not try again."""


async def send_message(settings: MailSettings, message: EmailMessage) -> None:
    """Sends `message` by SMTP.

    Sets From (settings.from_address), Date and Message-ID where the message has none, on the
    message itself, so the caller can keep its Message-ID for the replies. The envelope goes to
    the To, Cc and Bcc addresses, each through `settings.to_address`; the headers stay as they
    are and Bcc is not sent. When the server refuses some recipients and takes the others, the
    error names the refused ones in `refused` (the others have their mail).
    """
    _complete_headers(settings, message)
    recipients = [settings.to_address(address) for address in extract_recipients(message)]
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        refused, _ = await aiosmtplib.send(
            message,
            recipients=recipients,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            local_hostname=settings.domain,  # no getfqdn(): it may wait on DNS
            timeout=settings.smtp_timeout_s,
            use_tls=settings.smtp_security is SmtpSecurity.TLS,
            start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
        )
    except aiosmtplib.SMTPRecipientsRefused as error:
        answers = {e.recipient: (e.code, e.message) for e in error.recipients}
        raise _refusal("every recipient refused", answers) from error
    except aiosmtplib.SMTPResponseException as error:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        detail = f"SMTP server {where} answered {error.code} {error.message}"
        if error.code >= 500:
            raise MailRejected(detail) from error
        raise MailUnavailable(detail) from error
    except (aiosmtplib.SMTPException, OSError) as error:  # timeouts and connection errors
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        raise MailUnavailable(f"SMTP server {where} unavailable: {error}") from error
    if refused:
        answers = {address: (r.code, r.message) for address, r in refused.items()}
        raise _refusal("some recipients refused", answers)


def _complete_headers(settings: MailSettings, message: EmailMessage) -> None:
    if "From" not in message:
        message["From"] = settings.from_address
    if "Date" not in message:
        message["Date"] = email.utils.formatdate(localtime=True)
    if "Message-ID" not in message:
        message["Message-ID"] = settings.new_message_id()


def _refusal(what: str, answers: dict[str, tuple[int, str]]) -> MailError:
    refused = {address: f"{code} {text}" for address, (code, text) in answers.items()}
    detail = f"{what}: " + "; ".join(f"{a}: {t}" for a, t in refused.items())
    if any(code >= 500 for code, _ in answers.values()):
        return MailRejected(detail, refused)
    return MailUnavailable(detail, refused)
