"""Reads a support mailbox by IMAP: every mail above the UID high-water mark is stored in the
inbound queue (keyed by its Message-ID, so a mail seen twice is kept once) together with the
new mark, in one transaction, and left in the mailbox. IDLE wakes the reader at once; it also
reads every `poll_interval_s` (and without IDLE). A new UIDVALIDITY reads the folder again from
the start; the queue's key keeps that from doubling anything.

A mail too big to read, or one the parser cannot take, moves to the failed folder and its row
says why: never lost, never a crash. A lost connection is opened again after `reconnect_s`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import re

import aioimaplib  # type: ignore[import-untyped]
from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert

from servicedesk.channels.email_channel.models import MailboxMark
from servicedesk.channels.email_channel.parsing import ParsedMail, parse_mail
from servicedesk.channels.intake.queue import InboxWorkers, store
from servicedesk.channels.metrics import UNUSABLE_INPUT
from servicedesk.channels.settings import EmailSettings
from servicedesk.kernel.db import Database, WriteSession

log = logging.getLogger(__name__)
EMAIL, FOLDER = "email", "INBOX"
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UID = re.compile(rb"FETCH \(.*?UID (\d+)")
_UID_AFTER = re.compile(rb"UID (\d+)")
BATCH = 50  # mails fetched and stored at once
_SIZES = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


class ImapRefused(Exception):
    """The IMAP server answered NO or BAD."""


def _ok(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise ImapRefused(f"{what}: {response.result} {response.lines[-1:]!r}")
    return response


def external_id(message_id: str | None, mailbox: str, uidvalidity: int, uid: int) -> str:
    key = message_id or f"{mailbox}:{uidvalidity}:{uid}"
    return key if len(key) <= 128 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class MailboxReader:
    def __init__(
        self, settings: EmailSettings, database: Database, inbox: InboxWorkers, mailbox: str
    ) -> None:
        self.settings = settings
        self.database = database
        self.inbox = inbox
        self.mailbox = mailbox

    async def run_forever(self) -> None:
        while True:
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "mailbox reader lost its session",
                    exc_info=True,
                    extra={"mailbox": self.mailbox},
                )
            await asyncio.sleep(self.settings.reconnect_s)

    async def _session(self) -> None:
        mail = self.settings.mail
        client = aioimaplib.IMAP4(host=mail.imap_host, port=mail.imap_port, timeout=60)
        await client.wait_hello_from_server()
        password = mail.imap_password.get_secret_value()
        _ok(await client.login(self.mailbox, password), "login")
        try:
            await client.create(self.settings.failed_folder)  # NO when it exists: fine
            while True:
                await self.read_new(client)
                await self._wait(client)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), 5)

    async def _wait(self, client: aioimaplib.IMAP4) -> None:
        if not client.has_capability("IDLE"):
            await asyncio.sleep(self.settings.poll_interval_s)
            return
        idle = await client.idle_start(timeout=self.settings.idle_renew_s)
        try:
            with contextlib.suppress(TimeoutError):
                await client.wait_server_push(timeout=self.settings.poll_interval_s)
        finally:
            if client.has_pending_idle():
                client.idle_done()
            await asyncio.wait_for(idle, 30)

    async def read_new(self, client: aioimaplib.IMAP4) -> int:
        """Stores every mail above the mark; how many it stored."""
        selected = _ok(await client.select(FOLDER), "select")
        found = next(
            (_UIDVALIDITY.search(bytes(x)) for x in selected.lines if b"UIDVALIDITY" in x), None
        )
        uidvalidity = int(found.group(1)) if found else 0
        last = await self._mark(uidvalidity)
        listed = _ok(await client.uid("fetch", f"{last + 1}:*", "(UID RFC822.SIZE)"), "fetch")
        sizes: dict[int, int] = {}
        for line in listed.lines:
            for match in _SIZES.finditer(bytes(line)):
                uid, size = (
                    (match.group(1), match.group(2))
                    if match.group(1)
                    else (match.group(4), match.group(3))
                )
                sizes[int(uid)] = int(size)
        pending = sorted(u for u in sizes if u > last)
        stored = 0
        for first in range(0, len(pending), BATCH):
            batch = pending[first : first + BATCH]
            stored += await self._take(client, uidvalidity, {u: sizes[u] for u in batch})
            self.inbox.wake()  # the workers start on a batch while the next one is read
        return stored

    async def _mark(self, uidvalidity: int) -> int:
        async with self.database.write() as session:
            mark = await session.get(MailboxMark, (self.mailbox, FOLDER))
            if mark is None or mark.uidvalidity != uidvalidity:
                if mark is not None:
                    log.warning(
                        "mailbox UIDVALIDITY changed: reading it again",
                        extra={"mailbox": self.mailbox},
                    )
                return 0
            return mark.last_uid

    async def _take(self, client: aioimaplib.IMAP4, uidvalidity: int, sizes: dict[int, int]) -> int:
        """Stores a batch of mails (ascending UIDs) and the mark past them, in one transaction;
        a mail too big or unreadable is moved aside first, with a row of its own."""
        where: dict[int, dict[str, int | str]] = {
            uid: {"mailbox": self.mailbox, "uid": uid, "uidvalidity": uidvalidity, "size": size}
            for uid, size in sizes.items()
        }
        wanted = [u for u, size in sizes.items() if size <= self.settings.max_message_bytes]
        for uid in sizes.keys() - set(wanted):
            await self._reject(client, where[uid], f"too big: {sizes[uid]} bytes", None)
        bodies = await self._bodies(client, wanted)
        rows: list[tuple[int, ParsedMail, bytes]] = []
        for uid in wanted:
            raw = bodies.get(uid)
            if raw is None:
                await self._reject(client, where[uid], "no body in the answer", None)
                continue
            try:
                rows.append((uid, parse_mail(raw), raw))
            except Exception as error:  # noqa: BLE001 - such a mail is kept aside, never a crash
                await self._reject(client, where[uid], f"unreadable: {error}"[:300], raw)
        async with self.database.write() as session:
            for uid, parsed, raw in rows:
                await store(
                    session,
                    channel=EMAIL,
                    source=EMAIL,
                    external_id=external_id(parsed.message_id, self.mailbox, uidvalidity, uid),
                    thread=f"email:{parsed.sender or self.mailbox}"[:128],
                    payload=where[uid] | {"raw": base64.b64encode(raw).decode("ascii")},
                )
            await self._advance(session, uidvalidity, max(sizes))
        return len(sizes)

    @staticmethod
    async def _bodies(client: aioimaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
        if not uids:
            return {}
        uid_set = ",".join(map(str, uids))
        fetched = _ok(await client.uid("fetch", uid_set, "(UID BODY.PEEK[])"), "fetch bodies")
        bodies: dict[int, bytes] = {}
        current: int | None = None  # the UID named before a literal (Dovecot's order)
        waiting: bytes | None = None  # a literal whose UID comes after it
        for line in fetched.lines:
            if isinstance(line, bytearray):
                if current is not None:
                    bodies[current] = bytes(line)
                else:
                    waiting = bytes(line)
                current = None
                continue
            found = _UID_AFTER.search(bytes(line)) if waiting is not None else None
            if found is not None and waiting is not None:
                bodies[int(found.group(1))], waiting = waiting, None
            elif (found := _UID.search(bytes(line))) is not None:
                current = int(found.group(1))
        return bodies

    async def _reject(
        self, client: aioimaplib.IMAP4, where: dict[str, int | str], reason: str, raw: bytes | None
    ) -> None:
        """Moves the mail to the failed folder, then keeps a row saying why."""
        uid = str(where["uid"])
        _ok(await client.uid("move", uid, self.settings.failed_folder), "move")
        UNUSABLE_INPUT.labels(EMAIL, reason.split(":")[0]).inc()
        log.warning("mail moved to the failed folder", extra=where | {"reason": reason})
        payload = where | {"rejected": reason, "folder": self.settings.failed_folder}
        if raw is not None:
            payload["raw"] = base64.b64encode(raw).decode("ascii")
        async with self.database.write() as session:
            await store(
                session,
                channel=EMAIL,
                source=EMAIL,
                external_id=external_id(None, self.mailbox, int(where["uidvalidity"]), int(uid)),
                thread=f"email:{self.mailbox}:failed"[:128],
                payload=payload,
            )

    async def _advance(self, session: WriteSession, uidvalidity: int, uid: int) -> None:
        """The mark moves forward only (another replica's reader may be behind this one)."""
        statement = insert(MailboxMark).values(
            mailbox=self.mailbox, folder=FOLDER, uidvalidity=uidvalidity, last_uid=uid
        )
        same = MailboxMark.uidvalidity == uidvalidity
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["mailbox", "folder"],
                set_={
                    "uidvalidity": uidvalidity,
                    "last_uid": case((same, func.greatest(MailboxMark.last_uid, uid)), else_=uid),
                    "updated_at": func.now(),
                },
            )
        )
