"""A mailbox of the local mail server, read over IMAP as a person's mail client reads it.

Every address of example.com and servicedesk.local is a mailbox of its own (the bootstrap's
Dovecot, docs/mail.md), its login the full address, its password `local-mail`. The tests use
`<local>+sdtest@<domain>` addresses only, so the demo users' mailboxes never see test mail.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import time
from collections.abc import Callable
from email.message import EmailMessage

IMAP_HOST = "127.0.0.1"
IMAP_PORT = 1143
PASSWORD = "local-mail"
TEST_TAG = "sdtest"


def tagged_address(local: str, domain: str = "example.com") -> str:
    """The test's own address for `local`: `<local>+sdtest@<domain>`."""
    return f"{local}+{TEST_TAG}@{domain}"


class Mailbox:
    def __init__(self, address: str, host: str = IMAP_HOST, port: int = IMAP_PORT) -> None:
        self.address = address
        self.host = host
        self.port = port

    def _session(self) -> imaplib.IMAP4:
        session = imaplib.IMAP4(self.host, self.port, timeout=10)
        session.login(self.address, PASSWORD)
        session.select("INBOX")
        return session

    def messages(self, *criteria: str) -> list[EmailMessage]:
        """The inbox's messages (all, or those matching IMAP SEARCH `criteria`, e.g.
        `"HEADER", "X-Servicedesk-Item", "INC-000042"`), oldest first, parsed with
        email.policy.default."""
        session = self._session()
        try:
            return [message for _, message in self._fetch(session, criteria or ("ALL",), {})]
        finally:
            session.logout()

    def _fetch(
        self, session: imaplib.IMAP4, criteria: tuple[str, ...], known: dict[bytes, EmailMessage]
    ) -> list[tuple[bytes, EmailMessage]]:
        _, data = session.uid("SEARCH", *_quoted(criteria))
        uids = data[0].split() if data and data[0] else []
        found = []
        for uid in uids:
            if uid not in known:
                _, parts = session.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next(p[1] for p in parts if isinstance(p, tuple))
                # IMAP sends CRLF line ends; the parsed text gets Python's own "\n".
                raw = raw.replace(b"\r\n", b"\n")
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                known[uid] = parsed
            found.append((uid, known[uid]))
        return found

    def wait_for(
        self,
        predicate: Callable[[EmailMessage], bool],
        timeout_s: float = 10,
        *criteria: str,
    ) -> EmailMessage:
        """The first message (among those matching `criteria`, all by default) that satisfies
        `predicate`, waiting up to `timeout_s` for it."""
        deadline = time.monotonic() + timeout_s
        known: dict[bytes, EmailMessage] = {}
        while True:
            session = self._session()
            try:
                seen = [message for _, message in self._fetch(session, criteria or ("ALL",), known)]
            finally:
                session.logout()
            for message in seen:
                if predicate(message):
                    return message
            if time.monotonic() >= deadline:
                subjects = [str(m["Subject"]) for m in seen][-20:]
                raise AssertionError(
                    f"no such message in {self.address} after {timeout_s}s; it holds {subjects}"
                )
            time.sleep(0.2)

    def clear(self) -> None:
        """Deletes everything in the inbox."""
        session = self._session()
        try:
            _, data = session.uid("SEARCH", "ALL")
            if data and data[0]:
                uids = b",".join(data[0].split()).decode()
                session.uid("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")
                session.expunge()
        finally:
            session.logout()


def _quoted(criteria: tuple[str, ...]) -> list[str]:
    """SEARCH arguments; values with spaces or specials are quoted."""
    return [c if c.isalnum() or c.isupper() else f'"{c}"' for c in criteria]
