"""One bot as the fake knows it: its chats, files, update queue, webhook and fault knobs."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from servicedesk.fakes.telegram.chats import (
    CallbackPress,
    Chat,
    FileKind,
    JsonObject,
    Person,
    StoredFile,
)

# Without allowed_updates Telegram sends every kind but these.
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")
_FILE_ID_PREFIX = {"document": "BQACAgIAAxkBAAI", "photo": "AgACAgIAAxkBAAI"}


@dataclass(slots=True)
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    set_at: float = field(default_factory=time.time)


@dataclass(slots=True)
class QueuedUpdate:
    """An update not yet confirmed (getUpdates offset) nor delivered (webhook)."""

    update_id: int
    kind: str
    body: JsonObject
    created: float = field(default_factory=time.time)
    in_flight: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    update_id: int
    attempt: int
    status_code: int | None
    error: str | None
    at: float
    duration_ms: float


@dataclass(eq=False, slots=True)
class BotAccount:
    """A bot, made the first time its token (or its id, on the control API) is seen."""

    id: int
    username: str
    first_name: str
    token: str | None = None
    chats: dict[int, Chat] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    queue: list[QueuedUpdate] = field(default_factory=list)
    last_update_id: int = field(default_factory=lambda: 100_000_000 + secrets.randbelow(10**8))
    allowed_updates: list[str] = field(default_factory=list)
    webhook: Webhook | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: deque[DeliveryAttempt] = field(default_factory=lambda: deque(maxlen=1000))
    callbacks: dict[str, CallbackPress] = field(default_factory=dict)
    commands: dict[str, list[JsonObject]] = field(default_factory=dict)
    too_many_requests: int = 0
    retry_after: int = 5
    poll_generation: int = 0
    _arrival: asyncio.Event = field(default_factory=asyncio.Event)

    def as_user(self) -> JsonObject:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # --- chats and files

    def chat_with(self, person: Person) -> Chat:
        """The person's chat, made on their first message; their profile as last seen."""
        chat = self.chats.get(person.id)
        if chat is None:
            chat = self.chats[person.id] = Chat(person)
        else:
            chat.person = person
        return chat

    def store_file(
        self,
        kind: FileKind,
        content: bytes | None,
        size: int,
        file_name: str | None,
        mime_type: str | None,
    ) -> StoredFile:
        """Keeps a file under a new file_id and a file_path like Telegram's
        (`documents/file_3.pdf`, `photos/file_4.jpg`)."""
        suffix = PurePosixPath(file_name or "").suffix.lstrip(".")
        if not _EXTENSION.match(suffix):
            suffix = "jpg" if kind == "photo" else "bin"
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX[kind] + secrets.token_urlsafe(36),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            file_path=f"{folder}/file_{len(self.files) + 1}.{suffix}",
            size=size,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_at(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # --- updates

    def accepts(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_SENT_BY_DEFAULT

    def enqueue(self, kind: str, payload: JsonObject, retention_s: float) -> int | None:
        """Queues an update (unless allowed_updates leaves its kind out); its id, or None."""
        if not self.accepts(kind):
            return None
        self.forget_expired(retention_s)
        self.last_update_id += 1
        update = QueuedUpdate(self.last_update_id, kind, {"update_id": self.last_update_id})
        update.body[kind] = payload
        self.queue.append(update)
        self.wake()
        return update.update_id

    def forget_expired(self, retention_s: float) -> None:
        oldest = time.time() - retention_s
        self.queue = [u for u in self.queue if u.created >= oldest or u.in_flight]

    def confirm_before(self, offset: int) -> None:
        """getUpdates' offset: every update below it is confirmed and forgotten; a negative
        offset keeps only the last -offset updates."""
        if offset < 0:
            self.queue = self.queue[offset:]
        else:
            self.queue = [u for u in self.queue if u.update_id >= offset]

    def remove(self, update: QueuedUpdate) -> None:
        if update in self.queue:
            self.queue.remove(update)

    def next_undelivered(self) -> QueuedUpdate | None:
        return next((u for u in self.queue if not u.in_flight), None)

    def arrival(self) -> asyncio.Event:
        """Set when something new may be waiting; take it before looking at the queue."""
        return self._arrival

    def wake(self) -> None:
        self._arrival.set()
        self._arrival = asyncio.Event()

    def record_error(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message
